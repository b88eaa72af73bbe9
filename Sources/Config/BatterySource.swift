import Daly
import JBD
import JK
import SerialBMS

/// What reads a `[[battery]]`: its `source` key. Each case has its own keys (the schema's
/// `batteryKeys` say which); a new kind of device (Bluetooth, say) is one more case.
public enum BatterySource: String, Sendable, Hashable, CaseIterable {
    /// A JBD / Xiaoxiang BMS on a UART, polled for registers 0x03 and 0x04.
    case jbd
    /// A JK B-series BMS ("4E 57" protocol) on a UART, polled with "read all".
    case jk
    /// A Daly BMS on a UART, polled for 0x90 to 0x98.
    case daly
    /// A Victron Lithium Battery Smart, read from its Bluetooth Instant Readout advertisements
    /// through BlueZ (it has `address` and `key` or `key_file`).
    case victronBLE = "victron-ble"

    /// Whether it is a BMS polled over a UART (it has `device`, `baud`, `poll_interval_s`).
    public var isSerial: Bool {
        switch self {
        case .jbd, .jk, .daly: true
        case .victronBLE: false
        }
    }

    /// Its own default `comms_timeout_s`, or nil for the bank's (`[bus] comms_timeout_s`).
    public var defaultCommsTimeout: Duration? {
        switch self {
        case .jbd, .jk, .daly: nil
        case .victronBLE: .milliseconds(Int64(VictronBLEBattery.defaultCommsTimeoutSeconds * 1000))
        }
    }

    /// The line speed the BMS uses out of the box (the protocol module's).
    public var defaultBaud: Int {
        switch self {
        case .jbd: JBDProtocol.baud
        case .jk: JKProtocol.baud
        case .daly: DalyProtocol.baud
        case .victronBLE: 0
        }
    }

    /// Every line speed the BMS can be set to (the protocol module's); `baud` accepts only these.
    public var supportedBauds: [Int] {
        switch self {
        case .jbd: JBDProtocol().supportedBauds
        case .jk: JKProtocol().supportedBauds
        case .daly: DalyProtocol().supportedBauds
        case .victronBLE: []
        }
    }
}
