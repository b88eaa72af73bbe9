/// The rule of behaviour.md that caused a change, for the journal's structured fields.
public enum Rule: String, Sendable, Hashable, Codable {
    /// Rule 1: the remote on/off input.
    case remote
    /// Rule 2: start-up, and the return to normal after a fault.
    case startUp = "start-up"
    /// Rule 3: under-voltage or a cleared ATD flag cuts LOAD.
    case underVoltage = "under-voltage"
    /// Rule 4: a cell below the critical floor cuts LOAD at once.
    case criticalFloor = "critical-floor"
    /// Rule 5: PRE-ALARM.
    case prealarm
    /// Rule 6: over-voltage or a cleared ATC flag cuts CHARGER.
    case overVoltage = "over-voltage"
    /// Rule 7: a temperature outside the charge window cuts CHARGER.
    case temperature
    /// Rule 8: missing or bad data.
    case dataFault = "data-fault"
    /// Rule 10: the state of charge from a battery monitor.
    case stateOfCharge = "state-of-charge"
}

/// Why an output changed: the journal text plus structured fields.
public struct Reason: Sendable, Hashable, CustomStringConvertible {
    /// The rule that decided.
    public var rule: Rule
    /// The text an installer reads, e.g. `battery 2 cell 3 2.79 V < 2.80 V, pre-alarm raised 31 s ago`.
    public var text: String
    /// The battery concerned (1-based), when one is.
    public var battery: Int?
    /// The cell concerned (1-based), when one is.
    public var cell: Int?

    public init(rule: Rule, text: String, battery: Int? = nil, cell: Int? = nil) {
        self.rule = rule
        self.text = text
        self.battery = battery
        self.cell = cell
    }

    public var description: String { text }
}

/// Voltage text for the journal: `2.79 V`, or `2.795 V` when the millivolts need it.
public func voltsText(millivolts: Int) -> String {
    let sign = millivolts < 0 ? "-" : ""
    let magnitude = millivolts.magnitude
    let whole = magnitude / 1000
    let fraction = magnitude % 1000
    if fraction % 10 == 0 {
        let hundredths = fraction / 10
        return "\(sign)\(whole).\(hundredths < 10 ? "0" : "")\(hundredths) V"
    }
    let padding = fraction < 10 ? "00" : fraction < 100 ? "0" : ""
    return "\(sign)\(whole).\(padding)\(fraction) V"
}

/// Temperature text for the journal: `-5.2 C` from -52 decicelsius.
public func celsiusText(decicelsius: Int) -> String {
    let sign = decicelsius < 0 ? "-" : ""
    let magnitude = decicelsius.magnitude
    return "\(sign)\(magnitude / 10).\(magnitude % 10) C"
}

/// Percentage text: `14.5 %`, `10 %`.
public func percentText(_ percent: Double) -> String {
    let tenths = (percent * 10).rounded()
    if tenths.truncatingRemainder(dividingBy: 10) == 0 { return "\(Int(tenths / 10)) %" }
    return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10) %"
}

/// Seconds for the journal: `31 s`, `2.5 s`.
public func secondsText(_ duration: Duration) -> String {
    let milliseconds = duration.wholeMilliseconds
    if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
    let tenths = (milliseconds + 50) / 100
    return "\(tenths / 10).\(tenths % 10) s"
}
