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
    private var onOutputs: Set<Output>

    /// Every output off (floating): the state at start and on any doubt.
    public static let allOff = OutputLevels(onOutputs: [])

    private init(onOutputs: Set<Output>) { self.onOutputs = onOutputs }

    public subscript(output: Output) -> OutputState {
        get { onOutputs.contains(output) ? .on : .off }
        set {
            if newValue == .on { onOutputs.insert(output) } else { onOutputs.remove(output) }
        }
    }
}
