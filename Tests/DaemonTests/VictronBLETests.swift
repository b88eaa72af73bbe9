import BMSCore
import Foundation
import Status
import Synchronization
import Testing
import VictronInstantReadout
#if canImport(Glibc)
import Glibc
#endif

/// The real binary with two Lithium Battery Smart batteries (`source = "victron-ble"`) heard
/// through a mock bluetoothd (python-dbusmock's bluez5 on a private bus, `DBUS_SYSTEM_BUS_ADDRESS`):
/// the advertisements are encrypted here with test keys, as the batteries would.
/// Serialized: each bank is four processes and some 30 D-Bus calls a second; nine at once starved
/// the timing-sensitive tests of other suites on a 2-core machine (the demo's, measured).
@Suite("Lithium Battery Smart batteries over Bluetooth", .serialized)
struct VictronBLETests {
    @Test func startUp_readyOnceDiscoveryRuns_outputsOn_countersInStatus_keysNeverPrinted() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        #expect(bank.daemon.waitForNotification(timeout: 2) { $0 == "READY=1" })
        let report = try #require(bank.daemon.waitForStatus(timeout: 5) { ($0.bluetooth?.devices.allSatisfy { $0.decrypted > 3 && $0.repeats > 0 }) ?? false }
            .flatMap { _ in bank.daemon.status() })
        let bluetooth = try #require(report.bluetooth)
        #expect(bluetooth.adapter == "hci0" && bluetooth.discovering)
        #expect(bluetooth.devices.map(\.address) == BluetoothBank.addresses)
        #expect(bluetooth.devices.allSatisfy { $0.bad == 0 && $0.wrongKey == 0 && $0.foreign == 0 })
        #expect(report.batteries.map(\.cellsMillivolts) == [[3300, 3300, 3300, 3300], [3300, 3300, 3300, 3300]])
        #expect(report.batteries.map(\.temperaturesDecicelsius) == [[250], [250]])

        let summary = try bank.daemon.statusCommand()
        #expect(summary.exitStatus == 0)
        #expect(summary.text.contains("Bluetooth hci0 discovering"), "\(summary.text)")
        #expect(summary.text.contains("battery 1 \(BluetoothBank.addresses[0]) key \(bank.keys[0].redacted)"), "\(summary.text)")
        let statusFile = (try? String(contentsOfFile: bank.daemon.statusPath, encoding: .utf8)) ?? ""
        for key in BluetoothBank.keyTexts {
            #expect(!summary.text.contains(key) && !statusFile.contains(key) && !bank.daemon.standardError.contains(key))
        }
    }

    @Test func discharge_prealarmFirst_loadOffAfterTheLead() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.update(battery: 2) { $0.cells[2] = 2750 }
        let prealarmAt = try #require(bank.daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" }.map { _ in Date() })
        #expect(bank.daemon.status()?.state("load") == "on")
        #expect(bank.daemon.waitForStatus(timeout: 40) { $0.state("load") == "off" } != nil, "\(bank.daemon.standardError)")
        let lead = Date().timeIntervalSince(prealarmAt)
        #expect(lead > 28 && lead < 33, "LOAD off \(lead) s after PRE-ALARM")
        let reason = bank.daemon.status()?.outputs.load.reason ?? ""
        #expect(reason.hasPrefix("battery 2 cell 3 2.75 V < 2.80 V, pre-alarm raised"), "\(reason)")
        #expect(bank.daemon.status()?.state("charger") == "on")
    }

    @Test func overVoltage_chargerOffWithTheCell() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.update(battery: 1) { $0.cells[1] = 3800 }
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.state("charger") == "off" } != nil)
        #expect(bank.daemon.status()?.outputs.charger.reason == "battery 1 cell 2 3.80 V > 3.75 V")
        #expect(bank.daemon.status()?.state("load") == "on")
    }

    @Test func theBatteryClearsItsAllowedToChargeBit_chargerOff() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.update(battery: 2) { $0.flags.remove(.allowedToCharge) }
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.state("charger") == "off" } != nil)
        #expect(bank.daemon.status()?.outputs.charger.reason == "battery 2 asks for chargers off (ATC flag clear)")
        #expect(bank.daemon.status()?.state("load") == "on")
    }

    @Test func aBatteryStopsAdvertising_faultAtItsTimeout_thenBack() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        let silentAt = Date()
        bank.update(battery: 2) { $0.advertising = false }
        #expect(bank.daemon.waitForStatus(timeout: 6) { $0.state("load") == "off" && $0.state("charger") == "off" } != nil)
        let elapsed = Date().timeIntervalSince(silentAt)
        #expect(elapsed > 1.5 && elapsed < 3.5, "fault \(elapsed) s after the battery went silent")
        #expect(bank.daemon.status()?.fault?.hasPrefix("battery 2 sent no fresh valid data for 2") == true, "\(bank.daemon.status()?.fault ?? "")")
        bank.update(battery: 2) { $0.advertising = true }
        #expect(bank.daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" && $0.fault == nil } != nil)
    }

    @Test func aWrongKey_journalSaysWhereToFindTheKey_once_batteryCountsAsSilent() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        // The battery's key was changed in VictronConnect: its advertisements no longer fit the config.
        bank.update(battery: 1) { $0.key = BluetoothBank.otherKey }
        #expect(bank.daemon.waitForStatus(timeout: 6) { $0.state("load") == "off" } != nil)
        #expect(bank.daemon.status()?.fault?.hasPrefix("battery 1 sent no fresh valid data") == true)
        Thread.sleep(forTimeInterval: 1)
        let journal = bank.daemon.standardError
        let says = journal.components(separatedBy: "battery 1 (\(BluetoothBank.addresses[0])) sends advertisements made with another key").count - 1
        #expect(says == 1, "\(journal)")
        #expect(journal.contains("Product info -> Instant readout details"))
        #expect(journal.contains(bank.keys[0].redacted))
        #expect((bank.daemon.status()?.bluetooth?.devices.first?.wrongKey ?? 0) > 2)
    }

    @Test func bluetoothdGoesAwayAndComesBack_silentThenReadAgain() throws {
        let bank = try BluetoothBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.mock.killBluetoothd()
        #expect(bank.daemon.waitForStatus(timeout: 6) { $0.state("load") == "off" && $0.bluetooth?.discovering == false } != nil)
        #expect(bank.daemon.standardError.contains("bluetoothd left the system bus"), "\(bank.daemon.standardError)")
        try bank.mock.startBluetoothd()
        try bank.mock.addAdapter()
        #expect(bank.mock.waitForDiscovery(timeout: 10), "the daemon started discovery on the new bluetoothd")
        #expect(bank.daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" && $0.bluetooth?.discovering == true } != nil, "\(bank.daemon.standardError)")
        #expect(bank.daemon.status()?.fault == nil)
    }

    @Test func socOverBluetooth_aSmartShuntsRecord_drivesRule10() throws {
        let bank = try BluetoothBank(monitor: true)
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        #expect(bank.daemon.waitForStatus(timeout: 5) { ($0.bluetooth?.devices.last.map { $0.role == "soc" && $0.decrypted > 2 }) ?? false } != nil)
        #expect(bank.daemon.status()?.state("prealarm") == "off")
        #expect(bank.daemon.standardError.contains("SoC monitor \(BluetoothBank.monitorAddress) reports a state of charge: 50 %"), "\(bank.daemon.standardError)")
        // 14 %: below soc_prealarm_pct; PRE-ALARM, LOAD stays on (above soc_load_off_pct).
        bank.setStateOfCharge(perMille: 140)
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil)
        #expect(bank.daemon.status()?.outputs.prealarm.reason == "SoC 14 % < 15 %")
        #expect(bank.daemon.status()?.state("load") == "on")
    }

    @Test func noAdapterAtStart_saidOnce_notReady_thenReadyWhenOneAppears() throws {
        let bank = try BluetoothBank(adapter: false)
        defer { bank.stop() }
        #expect(!bank.daemon.waitForNotification(timeout: 2) { $0 == "READY=1" })
        #expect(bank.daemon.status()?.state("load") == "off")
        try bank.mock.addAdapter()
        #expect(bank.daemon.waitForNotification(timeout: 10) { $0 == "READY=1" })
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        let journal = bank.daemon.standardError
        #expect(journal.components(separatedBy: "no Bluetooth adapter").count - 1 == 1, "\(journal)")
        #expect(journal.contains("Bluetooth discovery runs on hci0"))
    }
}

/// Two 4-cell Lithium Battery Smart batteries advertising every 0.2 s (each record twice, as a
/// battery repeats itself) through the mock bluetoothd, and the daemon listening to them.
final class BluetoothBank: @unchecked Sendable {
    static let addresses = ["F4:12:34:56:78:01", "F4:12:34:56:78:02"]
    static let keyTexts = ["0df4d0395b7d1a876c0c33ecb9e70dcd", "2a9b5cf3d1e04786a1b2c3d4e5f60718"]
    /// A key as VictronConnect makes it after "reset key": another first byte too.
    static let otherKey = try! InstantReadoutKey(hex: "77f4d0395b7d1a876c0c33ecb9e70dcd")
    /// The SmartShunt of the SoC test, and its key.
    static let monitorAddress = "C0:3B:12:34:56:78"
    static let monitorKeyText = "5b7d1a876c0c33ecb9e70dcd0df4d039"

    struct Battery {
        var cells = [3300, 3300, 3300, 3300]
        var flags: SmartLithiumFlags = [.allowedToCharge, .allowedToDischarge]
        var key: InstantReadoutKey
        var counter: UInt16 = 1
        var advertising = true
    }

    let mock: MockBlueZ
    let daemon: DaemonHarness
    let keys: [InstantReadoutKey]
    private let batteries: Mutex<[Battery]>
    private let monitor: Mutex<(perMille: Int, counter: UInt16)?>
    private let feeding = Atomic<Bool>(true)
    private var feeder: Thread?

    init(adapter: Bool = true, monitor withMonitor: Bool = false) throws {
        mock = try MockBlueZ()
        if adapter { try mock.addAdapter() }
        keys = try Self.keyTexts.map { try InstantReadoutKey(hex: $0) }
        batteries = Mutex(keys.map { Battery(key: $0) })
        monitor = Mutex(withMonitor ? (perMille: 500, counter: 1) : nil)
        let monitorTable = withMonitor ? """
            [vedirect]
            address = "\(Self.monitorAddress)"
            key = "\(Self.monitorKeyText)"
            soc_prealarm_pct = 15
            soc_load_off_pct = 10
            soc_load_on_pct = 20
            """ : ""
        daemon = try DaemonHarness(environment: ["DBUS_SYSTEM_BUS_ADDRESS": mock.address])
        let text = """
            [[battery]]
            source = "victron-ble"
            address = "\(Self.addresses[0].lowercased())"
            key = "\(Self.keyTexts[0])"
            comms_timeout_s = 2

            [[battery]]
            source = "victron-ble"
            address = "\(Self.addresses[1])"
            key_file = "battery2.key"
            comms_timeout_s = 2

            [thresholds]
            confirm_s = 0.2
            recover_s = 1
            [gpio]
            chip = "simulated"
            [remote]
            mode = "always-on"
            [recorder]
            directory = "\(daemon.incidentsPath)"
            [history]
            path = "\(daemon.historyPath)"
            [status]
            path = "\(daemon.statusPath)"
            \(monitorTable)
            """
        try text.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let keyFile = daemon.folder.appendingPathComponent("battery2.key").path
        try (Self.keyTexts[1] + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o600)
        try daemon.start()
        let thread = Thread { [self] in
            while feeding.load(ordering: .sequentiallyConsistent) {
                advertiseAll()
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        feeder = thread
        thread.start()
    }

    /// Changes what battery `number` (1-based) advertises from now on.
    func update(battery number: Int, _ change: (inout Battery) -> Void) {
        batteries.withLock { change(&$0[number - 1]) }
    }

    /// What the SmartShunt advertises as its state of charge from now on.
    func setStateOfCharge(perMille: Int) {
        monitor.withLock { $0?.perMille = perMille }
    }

    func waitUntilRunning() -> Bool {
        daemon.waitForStatus(timeout: 15) { $0.state("load") == "on" && $0.state("charger") == "on" } != nil
    }

    func stop() {
        feeding.store(false, ordering: .sequentiallyConsistent)
        Thread.sleep(forTimeInterval: 0.3)
        _ = daemon.stop()
        mock.shutDown()
    }

    private func advertiseAll() {
        let advertisements: [(String, [UInt8])] = batteries.withLock { batteries in
            var out: [(String, [UInt8])] = []
            for index in batteries.indices where batteries[index].advertising {
                let battery = batteries[index]
                let record = SmartLithiumRecord(
                    flags: battery.flags, cellMillivolts: battery.cells.map { $0 } + [nil, nil, nil, nil],
                    batteryMillivolts: battery.cells.reduce(0, +), balancer: .balanced, temperatureCelsius: 25)
                batteries[index].counter &+= 1
                guard let bytes = try? InstantReadoutEncoder.smartLithium(
                    record, key: battery.key, dataCounter: battery.counter, productID: 0xA3E4) else { continue }
                out.append((Self.addresses[index], bytes))
            }
            return out
        }
        var all = advertisements
        let monitorKey = try? InstantReadoutKey(hex: Self.monitorKeyText)
        let shunt: [UInt8]? = monitor.withLock { state in
            guard var current = state, let monitorKey else { return nil }
            current.counter &+= 1
            state = current
            let record = BatteryMonitorRecord(
                remainingMinutes: 600, batteryMillivolts: 13200, currentMilliamps: -5000, consumedDeciampHours: -100,
                stateOfChargePerMille: current.perMille)
            return try? InstantReadoutEncoder.batteryMonitor(record, key: monitorKey, dataCounter: current.counter, productID: 0xA389)
        }
        if let shunt { all.append((Self.monitorAddress, shunt)) }
        for (address, bytes) in all {
            // Twice, as a battery repeats each record; errors are bluetoothd being away (a test kills it).
            try? mock.advertise(address, bytes)
            try? mock.advertise(address, bytes)
        }
    }
}
