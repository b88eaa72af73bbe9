/// One primitive test against the bank's latest valid data: the vocabulary of the rule table.
///
/// A trip condition holds when any of its checks finds a match; a clear condition holds when
/// none of its checks does. Each check can explain its match (for a trip) and its absence
/// (for a return to normal) in the journal's words.
enum Check: Sendable, Hashable {
    /// Some cell is below the threshold.
    case cellBelow(millivolts: Int, rule: Rule)
    /// Some cell is above the threshold.
    case cellAbove(millivolts: Int, rule: Rule)
    /// Some cell is at or above the threshold.
    case cellAtOrAbove(millivolts: Int, rule: Rule)
    /// Some battery has cleared its ATD flag (asks for loads off).
    case dischargeNotAllowed
    /// Some battery has cleared its ATC flag (asks for chargers off).
    case chargeNotAllowed
    /// Some battery raises its own PRE flag.
    case prealarmFlagRaised
    /// Some temperature is below `lowest` or above `highest`.
    case temperatureOutside(lowestDecicelsius: Int, highestDecicelsius: Int)
    /// The state of charge is below the threshold (only when a monitor reports one).
    case stateOfChargeBelow(percent: Double)

    /// Where a check matched: the first battery and cell (or temperature sensor) that made it true.
    struct Match: Sendable, Hashable {
        var battery: Int
        var index: Int
        var value: Int
    }

    /// The first match in the bank, or nil when the check does not hold.
    func firstMatch(in bank: BankData) -> Match? {
        switch self {
        case .cellBelow(let threshold, _):
            return bank.firstCell(below: threshold)
        case .cellAbove(let threshold, _):
            return bank.firstCell(above: threshold)
        case .cellAtOrAbove(let threshold, _):
            return bank.firstCell(atOrAbove: threshold)
        case .dischargeNotAllowed:
            return bank.firstBattery(lacking: BatteryFlags(allowsDischarge: true, allowsCharge: false).rawValue)
        case .chargeNotAllowed:
            return bank.firstBattery(lacking: BatteryFlags(allowsDischarge: false, allowsCharge: true).rawValue)
        case .prealarmFlagRaised:
            return bank.firstBattery(having: BatteryFlags(allowsDischarge: false, allowsCharge: false, raisesPrealarm: true).rawValue)
        case .temperatureOutside(let lowest, let highest):
            return bank.firstTemperature(outside: lowest, highest)
        case .stateOfChargeBelow(let threshold):
            guard let percent = bank.stateOfChargePercent, percent < threshold else { return nil }
            return Match(battery: 0, index: 0, value: Int((percent * 10).rounded()))
        }
    }

    /// The rule this check belongs to, for the journal's `RULE=` field.
    var rule: Rule {
        switch self {
        case .cellBelow(_, let rule), .cellAbove(_, let rule), .cellAtOrAbove(_, let rule): rule
        case .dischargeNotAllowed: .underVoltage
        case .chargeNotAllowed: .overVoltage
        case .prealarmFlagRaised: .prealarm
        case .temperatureOutside: .temperature
        case .stateOfChargeBelow: .stateOfCharge
        }
    }

    /// Why a trip holds, e.g. `battery 1 cell 2 3.09 V < 3.10 V`.
    func tripReason(_ match: Match, bank: BankData) -> Reason {
        switch self {
        case .cellBelow(let threshold, let rule):
            return Reason(rule: rule, text: "battery \(match.battery) cell \(match.index) \(voltsText(millivolts: match.value)) < \(voltsText(millivolts: threshold))", battery: match.battery, cell: match.index)
        case .cellAbove(let threshold, let rule):
            return Reason(rule: rule, text: "battery \(match.battery) cell \(match.index) \(voltsText(millivolts: match.value)) > \(voltsText(millivolts: threshold))", battery: match.battery, cell: match.index)
        case .cellAtOrAbove(let threshold, let rule):
            return Reason(rule: rule, text: "battery \(match.battery) cell \(match.index) \(voltsText(millivolts: match.value)) >= \(voltsText(millivolts: threshold))", battery: match.battery, cell: match.index)
        case .dischargeNotAllowed:
            return Reason(rule: rule, text: "battery \(match.battery) asks for loads off (ATD flag clear)", battery: match.battery)
        case .chargeNotAllowed:
            return Reason(rule: rule, text: "battery \(match.battery) asks for chargers off (ATC flag clear)", battery: match.battery)
        case .prealarmFlagRaised:
            return Reason(rule: rule, text: "battery \(match.battery) raises its pre-alarm (PRE flag)", battery: match.battery)
        case .temperatureOutside(let lowest, let highest):
            let comparison = match.value < lowest
                ? "< \(celsiusText(decicelsius: lowest))" : "> \(celsiusText(decicelsius: highest))"
            return Reason(rule: rule, text: "battery \(match.battery) temperature \(match.index) \(celsiusText(decicelsius: match.value)) \(comparison)", battery: match.battery)
        case .stateOfChargeBelow(let threshold):
            return Reason(rule: rule, text: "SoC \(percentText(Double(match.value) / 10)) < \(percentText(threshold))")
        }
    }

    /// What holds when this check finds nothing, e.g. `every cell >= 3.20 V`.
    var clearText: String {
        switch self {
        case .cellBelow(let threshold, _): "every cell >= \(voltsText(millivolts: threshold))"
        case .cellAbove(let threshold, _): "every cell <= \(voltsText(millivolts: threshold))"
        case .cellAtOrAbove(let threshold, _): "every cell < \(voltsText(millivolts: threshold))"
        case .dischargeNotAllowed: "every battery allows discharge"
        case .chargeNotAllowed: "every battery allows charge"
        case .prealarmFlagRaised: "no PRE flag"
        case .temperatureOutside(let lowest, let highest):
            "every temperature within \(celsiusText(decicelsius: lowest))..\(celsiusText(decicelsius: highest))"
        case .stateOfChargeBelow(let threshold): "SoC >= \(percentText(threshold))"
        }
    }
}
