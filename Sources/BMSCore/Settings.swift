/// The rule set's parameters, validated by the config loader, with the units in their names.
///
/// Defaults are the seed's (behaviour.md); the core trusts these values and never re-checks
/// their ranges or order: that is the config loader's job, where errors can name the key and line.
public struct Settings: Sendable, Hashable {
    /// Number of batteries on the bus, 1 to 20.
    public var batteryCount: Int = 1
    /// Cells each battery reports: 4 (12.8 V) or 8 (25.6 V).
    public var cellsPerBattery: Int = 4
    /// A battery with no fresh valid sentence for this long is a fault (rule 8).
    public var commsTimeout: Duration = .seconds(3)
    /// Cell counts of batteries that differ from `cellsPerBattery` (a bank of BMSes of several
    /// sizes), by battery number; a battery not listed has `cellsPerBattery`.
    public var cellsByBattery: [Int: Int] = [:]
    /// Comms timeouts of batteries that differ from `commsTimeout` (a BMS polled more slowly), by
    /// battery number; a battery not listed has `commsTimeout`.
    public var commsTimeoutByBattery: [Int: Duration] = [:]

    /// LOAD trips when the lowest cell is below this (rule 3).
    public var loadDisconnectMillivolts: Int = 2800
    /// LOAD may return when every cell is at or above this.
    public var loadReconnectMillivolts: Int = 3200
    /// A cell below this cuts LOAD at once, without lead or confirmation (rule 4); `nil` disables.
    public var criticalCellMillivolts: Int? = 2500
    /// PRE-ALARM trips when the lowest cell is below this (rule 5).
    public var prealarmMillivolts: Int = 3100
    /// PRE-ALARM may clear when every cell is at or above this.
    public var prealarmClearMillivolts: Int = 3200
    /// LOAD is cut for low voltage no earlier than this after PRE-ALARM rose (30 s minimum).
    public var prealarmLead: Duration = .seconds(30)
    /// CHARGER trips when the highest cell is above this (rule 6).
    public var chargeDisconnectMillivolts: Int = 3750
    /// CHARGER may return when every cell is below this.
    public var chargeReconnectMillivolts: Int = 3600
    /// CHARGER trips when a temperature is below this (rule 7).
    public var chargeMinDecicelsius: Int = 50
    /// CHARGER trips when a temperature is above this.
    public var chargeMaxDecicelsius: Int = 500
    /// Temperatures must be this far inside [min, max] for CHARGER to return.
    public var temperatureHysteresisDecicelsius: Int = 20

    /// A trip acts once its condition has held this long (rule 9).
    public var confirmDelay: Duration = .seconds(1)
    /// A return to normal acts once its condition has held this long.
    public var recoverDelay: Duration = .seconds(5)

    /// State-of-charge limits from a VE.Direct battery monitor (rule 10); `nil` when none is configured.
    public var stateOfCharge: StateOfChargeLimits?

    /// The plausible range of a LiFePO4 cell voltage; outside it a reading is a fault (rule 8).
    public static let plausibleCellMillivolts = 1000...4500
    /// The plausible range of a battery temperature, in tenths of a degree Celsius.
    public static let plausibleDecicelsius = -400...1000

    /// The seed defaults.
    public init() {}

    /// The cells battery `battery` (1-based) must report: its own count, else `cellsPerBattery`.
    public func cells(ofBattery battery: Int) -> Int {
        cellsByBattery[battery] ?? cellsPerBattery
    }

    /// How long battery `battery` (1-based) may go without a fresh reading: its own timeout, else `commsTimeout`.
    public func commsTimeout(ofBattery battery: Int) -> Duration {
        commsTimeoutByBattery[battery] ?? commsTimeout
    }
}

/// State-of-charge limits (rule 10), in percent.
public struct StateOfChargeLimits: Sendable, Hashable {
    /// PRE-ALARM trips when the state of charge is below this.
    public var prealarmPercent: Double = 15
    /// LOAD trips (with the pre-alarm lead) when the state of charge is below this.
    public var loadOffPercent: Double = 10
    /// LOAD may return, and the state-of-charge pre-alarm clear, at or above this.
    public var loadOnPercent: Double = 20

    public init(prealarmPercent: Double = 15, loadOffPercent: Double = 10, loadOnPercent: Double = 20) {
        self.prealarmPercent = prealarmPercent
        self.loadOffPercent = loadOffPercent
        self.loadOnPercent = loadOnPercent
    }
}
