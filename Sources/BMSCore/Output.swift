/// One of the five lines the daemon drives.
public enum Output: String, CaseIterable, Sendable, Hashable, Codable {
    /// Remote input of the loads (BatteryProtect, inverter, DC-DC): high while discharge is allowed.
    case load
    /// Remote input of the chargers: high while charging is allowed.
    case charger
    /// The pre-alarm signal: high while a cell is getting low or the bank is in doubt.
    case prealarm
    /// The blue "load on" LED: lit while LOAD is high.
    case ledLoad = "led_load"
    /// The red "temp or OVP" LED: lit while CHARGER is floating for over-voltage or temperature.
    case ledTempOVP = "led_temp_ovp"

    /// The name an installer reads in the journal: `LOAD`, `CHARGER`, `PRE-ALARM`, `LED load`, `LED temp/OVP`.
    public var displayName: String {
        switch self {
        case .load: "LOAD"
        case .charger: "CHARGER"
        case .prealarm: "PRE-ALARM"
        case .ledLoad: "LED load"
        case .ledTempOVP: "LED temp/OVP"
        }
    }
}

/// The level of an output line. `off` is floating (released / not driven), the safe side.
public enum OutputState: String, Sendable, Hashable, Codable {
    /// Driven high: the connected device is enabled.
    case on
    /// Floating: every connected device reads this as OFF.
    case off
}

/// The level of every output at once.
public struct OutputLevels: Sendable, Hashable {
    /// One bit per output that is on: read on every evaluation, so no hashing.
    private var onOutputs: UInt8

    /// Every output off (floating): the state at start and on any doubt.
    public static let allOff = OutputLevels(onOutputs: 0)

    private init(onOutputs: UInt8) { self.onOutputs = onOutputs }

    private static func bit(_ output: Output) -> UInt8 {
        switch output {
        case .load: 1 << 0
        case .charger: 1 << 1
        case .prealarm: 1 << 2
        case .ledLoad: 1 << 3
        case .ledTempOVP: 1 << 4
        }
    }

    public subscript(output: Output) -> OutputState {
        get { onOutputs & Self.bit(output) != 0 ? .on : .off }
        set {
            if newValue == .on { onOutputs |= Self.bit(output) } else { onOutputs &= ~Self.bit(output) }
        }
    }
}
