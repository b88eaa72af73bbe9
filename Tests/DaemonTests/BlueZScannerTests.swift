import Bluetooth
import EdgeIO
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The BlueZ edge alone against python-dbusmock's bluez5 template on a private bus: what it asks
/// bluetoothd, what it passes on, and how it gets through bluetoothd, adapter and bus outages.
/// Serialized: `DBUS_SYSTEM_BUS_ADDRESS` is this process's, one mock bus at a time.
@Suite("BlueZ scanner on a mock bluetoothd", .serialized)
struct BlueZScannerTests {
    static let battery = "F4:12:34:56:78:9A"

    @Test func startUp_setsTheLEDuplicateDataFilter_startsDiscovery_passesOnEachAdvertisement() throws {
        let mock = try MockBlueZ()
        try mock.addAdapter()
        let pump = ScannerPump(bus: mock.address)
        #expect(pump.run(for: 5) { pump.scanner.hasDiscovered })
        #expect(mock.isDiscovering())
        let filter = try mock.command("filter hci0")
        #expect(filter.contains("DuplicateData=1") && filter.contains("Transport=le"), "filter set: \(filter)")
        #expect(pump.scanner.adapterName == "hci0")

        let payload: [UInt8] = [0x10, 0x02, 0xA3, 0x89, 0x05, 0x01, 0x00, 0xAA, 0x01]
        try mock.advertise(Self.battery, payload)
        try mock.advertise(Self.battery, payload)
        #expect(pump.run(for: 5) { pump.advertisements.count == 2 })
        #expect(pump.advertisements.first == .manufacturerData(address: Self.battery, companyID: 0x02E1, bytes: payload))
    }

    @Test func adapterMissingAtStart_saidOnce_discoveryStartsWhenOneIsAdded() throws {
        let mock = try MockBlueZ()
        let pump = ScannerPump(bus: mock.address)
        // Longer than the retry interval: the retries stay quiet.
        _ = pump.run(for: 6) { false }
        #expect(!pump.scanner.hasDiscovered)
        #expect(pump.journal(containing: "no Bluetooth adapter").count == 1, "journal: \(pump.journalLines)")
        try mock.addAdapter()
        #expect(pump.run(for: 5) { pump.scanner.isDiscovering })
        #expect(mock.isDiscovering())
        #expect(pump.journal(containing: "adapter hci0 is here").count == 1)
    }

    @Test func bluetoothdMissingAtStart_saidOnce_discoveryStartsWhenItComes() throws {
        let mock = try MockBlueZ(bluetoothd: false)
        let pump = ScannerPump(bus: mock.address)
        _ = pump.run(for: 1) { false }
        #expect(pump.journal(containing: "not on the system bus").count == 1, "journal: \(pump.journalLines)")
        try mock.startBluetoothd()
        try mock.addAdapter()
        #expect(pump.run(for: 8) { pump.scanner.isDiscovering })
        #expect(mock.isDiscovering())
    }

    @Test func bluetoothdRestarts_discoveryStartsAgainOnTheNewOne_advertisementsFlowAgain() throws {
        let mock = try MockBlueZ()
        try mock.addAdapter()
        let pump = ScannerPump(bus: mock.address)
        #expect(pump.run(for: 5) { pump.scanner.isDiscovering })

        mock.killBluetoothd()
        #expect(pump.run(for: 5) { !pump.scanner.isDiscovering })
        #expect(pump.journal(containing: "bluetoothd left the system bus").count == 1)

        try mock.startBluetoothd()
        try mock.addAdapter()
        #expect(pump.run(for: 8) { pump.scanner.isDiscovering })
        #expect(mock.isDiscovering(), "StartDiscovery was called on the new bluetoothd")
        try mock.advertise(Self.battery, [0x10, 0x02, 0xA3, 0x89, 0x05, 0x02, 0x00, 0xAA, 0x01])
        #expect(pump.run(for: 5) { pump.advertisements.count == 1 })
    }

    @Test func adapterPoweredOffAndOn_discoveryStops_thenStartsAgain() throws {
        let mock = try MockBlueZ()
        try mock.addAdapter()
        let pump = ScannerPump(bus: mock.address)
        #expect(pump.run(for: 5) { pump.scanner.isDiscovering })

        try mock.command("power hci0 off")
        #expect(pump.run(for: 5) { !pump.scanner.isDiscovering })
        #expect(pump.journal(containing: "powered off").count == 1)
        #expect(!mock.isDiscovering())

        try mock.command("power hci0 on")
        #expect(pump.run(for: 5) { pump.scanner.isDiscovering })
        #expect(mock.isDiscovering(), "StartDiscovery again after power on")
    }

    @Test func noBusAtAll_saidOnce_keepsRetrying() throws {
        let pump = ScannerPump(bus: "unix:path=/nonexistent/smallbmsd-test-bus")
        _ = pump.run(for: 2) { false }
        #expect(!pump.scanner.isConnected)
        #expect(pump.journal(containing: "cannot connect to the D-Bus system bus").count == 1, "journal: \(pump.journalLines)")
    }
}

/// Runs a scanner on its own poll loop, as the daemon does, collecting what it says.
final class ScannerPump {
    let scanner = BlueZScanner()
    private(set) var events: [BlueZScanner.Event] = []

    init(bus: String) {
        setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, 1)
        events += scanner.start(at: SystemClock.monotonic())
    }

    deinit { scanner.stop() }

    var advertisements: [BlueZScanner.Event] {
        events.filter { if case .manufacturerData = $0 { true } else { false } }
    }

    var journalLines: [String] {
        events.compactMap { if case .journal(_, let text) = $0 { text } else { nil } }
    }

    func journal(containing text: String) -> [String] { journalLines.filter { $0.contains(text) } }

    /// Serves the scanner until `done` holds (true) or `seconds` pass (false).
    func run(for seconds: Double, _ done: () -> Bool) -> Bool {
        let end = SystemClock.monotonic() + .milliseconds(Int64(seconds * 1000))
        while true {
            if done() { return true }
            let now = SystemClock.monotonic()
            if now >= end { return false }
            var wait = min(end - now, .milliseconds(50))
            if let due = scanner.nextDeadline { wait = max(.zero, min(wait, due - now)) }
            var entry = pollfd(fd: scanner.pollInterest?.descriptor ?? -1, events: scanner.pollInterest?.events ?? 0, revents: 0)
            let ready = poll(&entry, 1, Int32((wait + .nanoseconds(999_999)).components.attoseconds / 1_000_000_000_000_000 + wait.components.seconds * 1000))
            let after = SystemClock.monotonic()
            if ready > 0 { events += scanner.serve(at: after) }
            if let due = scanner.nextDeadline, due <= after { events += scanner.serveDeadline(at: after) }
        }
    }
}
