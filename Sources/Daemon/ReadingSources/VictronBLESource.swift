import BMSCore
import Bluetooth
import Config
import EdgeIO
import Status
import VictronInstantReadout

/// Lithium Battery Smart batteries (`source = "victron-ble"`) and, optionally, a SmartShunt or
/// BMV for rule 10, read from their Bluetooth Instant Readout advertisements through BlueZ.
///
/// One source for every Bluetooth device: one scanner (one D-Bus connection, one discovery)
/// serves them all, and each advertisement goes to the decoder of its address. A fresh record is
/// a reading (or a state of charge); anything else is counted per device and is not fresh, so a
/// battery whose advertisements stop, or whose key is wrong, goes silent and rule 8 faults it at
/// its `comms_timeout_s`.
///
/// It gates readiness: READY=1 only once discovery has run (the bus, bluetoothd and an adapter are there).
public final class VictronBLESource: ReadingSource {
    private struct Battery {
        let configuration: VictronBLEBattery
        var decoder: SmartLithiumDecoder
        var wrongKeyReported = false
        var badReported = false
        var hasBeenFresh = false
    }

    private struct Monitor {
        let configuration: VictronBLEMonitor
        var decoder: BatteryMonitorDecoder
        var wrongKeyReported = false
        var badReported = false
        var hasBeenFresh = false
    }

    private let scanner: BlueZScanner
    private var batteries: [Battery]
    private var batteryIndex: [String: Int] = [:]
    private var monitor: Monitor?

    /// A source for `batteries` and the optional state-of-charge `monitor`; nothing is opened until ``start(_:)``.
    public init(batteries: [VictronBLEBattery], monitor: VictronBLEMonitor? = nil, preferredAdapter: String = "hci0") {
        scanner = BlueZScanner(preferredAdapter: preferredAdapter)
        self.batteries = batteries.map { Battery(configuration: $0, decoder: SmartLithiumDecoder(battery: $0.battery, key: $0.key)) }
        for (index, battery) in batteries.enumerated() { batteryIndex[battery.address] = index }
        self.monitor = monitor.map { Monitor(configuration: $0, decoder: BatteryMonitorDecoder(key: $0.key)) }
    }

    public var name: String { "Bluetooth (victron-ble)" }
    public var isReady: Bool { scanner.hasDiscovered }
    public var pollInterest: PollInterest? {
        scanner.pollInterest.map { PollInterest(descriptor: $0.descriptor, events: $0.events) }
    }
    public var nextDeadline: Duration? { scanner.nextDeadline }

    public func start(_ context: any SourceContext) {
        let devices = batteries.map { "battery \($0.configuration.battery) \($0.configuration.address) (key \($0.configuration.key.redacted))" }
            + (monitor.map { ["SoC monitor \($0.configuration.address) (key \($0.configuration.key.redacted))"] } ?? [])
        context.log(.info, "Bluetooth: listening for \(devices.joined(separator: ", ")) through BlueZ on \(BusConnection.busAddressText)", fields: [:])
        take(scanner.start(at: context.now.real), context)
    }

    public func serve(events: Int16, _ context: any SourceContext) {
        take(scanner.serve(at: context.now.real), context)
    }

    public func serveDeadline(_ context: any SourceContext) {
        take(scanner.serveDeadline(at: context.now.real), context)
    }

    public func report(into report: inout StatusReport, snapshot: ControllerSnapshot) {
        var devices = batteries.map { battery in
            Self.device(battery: battery.configuration.battery, role: "battery", address: battery.configuration.address,
                        key: battery.configuration.key, counters: battery.decoder.counters)
        }
        if let monitor {
            devices.append(Self.device(battery: nil, role: "soc", address: monitor.configuration.address,
                                       key: monitor.configuration.key, counters: monitor.decoder.counters))
        }
        report.bluetooth = StatusReport.Bluetooth(adapter: scanner.adapterName, discovering: scanner.isDiscovering, devices: devices)
    }

    public func stop() { scanner.stop() }

    // MARK: - Advertisements

    private func take(_ events: [BlueZScanner.Event], _ context: any SourceContext) {
        for event in events {
            switch event {
            case .journal(let priority, let text):
                context.log(priority, "Bluetooth: " + text, fields: [:])
            case .manufacturerData(let address, let company, let bytes):
                guard company == InstantReadoutAdvertisement.companyID else { continue }
                if let index = batteryIndex[address] {
                    receive(bytes, battery: index, context)
                } else if monitor?.configuration.address == address {
                    receiveMonitor(bytes, context)
                }
            }
        }
    }

    private func receive(_ bytes: [UInt8], battery index: Int, _ context: any SourceContext) {
        let configuration = batteries[index].configuration
        let who = "battery \(configuration.battery) (\(configuration.address))"
        let fields = ["BATTERY": String(configuration.battery), "ADDRESS": configuration.address]
        switch batteries[index].decoder.receive(manufacturerData: bytes) {
        case .fresh(let reading):
            if !batteries[index].hasBeenFresh || batteries[index].wrongKeyReported {
                context.log(.info, "Bluetooth: \(who) decrypts with its key: \(reading.cellMillivolts.count) cells", fields: fields)
            }
            batteries[index].hasBeenFresh = true
            batteries[index].wrongKeyReported = false
            context.deliver(.reading(reading))
        case .repeated:
            return
        case .refused(let error):
            if case .keyMismatch(let checkByte) = error {
                guard !batteries[index].wrongKeyReported else { return }
                batteries[index].wrongKeyReported = true
                context.log(.error, Self.wrongKeyText(who: who, key: configuration, checkByte: checkByte), fields: fields)
            } else if !batteries[index].badReported {
                batteries[index].badReported = true
                context.log(.warning, "Bluetooth: \(who): \(error) (counted as bad in the status file; said once)", fields: fields)
            }
        }
    }

    private func receiveMonitor(_ bytes: [UInt8], _ context: any SourceContext) {
        guard var monitor else { return }
        defer { self.monitor = monitor }
        let address = monitor.configuration.address
        switch monitor.decoder.receive(manufacturerData: bytes) {
        case .fresh(let record):
            monitor.wrongKeyReported = false
            guard let percent = record.stateOfChargePercent else { return }
            if !monitor.hasBeenFresh {
                context.log(.info, "Bluetooth: SoC monitor \(address) reports a state of charge: \(percentText(percent))", fields: ["RULE": Rule.stateOfCharge.rawValue])
            }
            monitor.hasBeenFresh = true
            context.deliver(.stateOfCharge(percent: percent))
        case .repeated:
            return
        case .refused(let error):
            if case .keyMismatch(let checkByte) = error {
                guard !monitor.wrongKeyReported else { return }
                monitor.wrongKeyReported = true
                context.log(.error, "Bluetooth: SoC monitor \(address): its advertisements use another key (check byte 0x\(hex(checkByte))) than the configured one (\(monitor.configuration.key.redacted)\(monitor.configuration.keyFile.map { " from \($0)" } ?? "")): copy the key again from VictronConnect (Product info -> Instant readout details); the state-of-charge rule keeps its last value", fields: [:])
            } else if !monitor.badReported {
                monitor.badReported = true
                context.log(.warning, "Bluetooth: SoC monitor \(address): \(error) (counted as bad; said once)", fields: [:])
            }
        }
    }

    static func wrongKeyText(who: String, key: VictronBLEBattery, checkByte: UInt8) -> String {
        "Bluetooth: \(who) sends advertisements made with another key (check byte 0x\(hex(checkByte))) than the configured one "
            + "(\(key.key.redacted)\(key.keyFile.map { " from \($0)" } ?? "")): copy the key again from VictronConnect "
            + "(Product info -> Instant readout details); until then the battery counts as silent (rule 8 at its comms_timeout_s)"
    }

    private static func device(battery: Int?, role: String, address: String, key: InstantReadoutKey, counters: InstantReadoutCounters) -> StatusReport.Device {
        StatusReport.Device(
            battery: battery, role: role, address: address, key: key.redacted, advertisements: counters.advertisements,
            decrypted: counters.decrypted, repeats: counters.repeats, wrongKey: counters.wrongKey, bad: counters.bad,
            foreign: counters.foreign)
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
