/// One row of the rule table: what trips a latch, what clears it, and what trips it at once.
///
/// A trip acts once `tripWhenAny` has held for `confirm_s`; a clear acts once nothing in
/// `clearWhenNone` has matched for `recover_s` (rule 9); `tripAtOnceWhenAny` skips the
/// confirmation (rule 4, the critical floor).
struct LatchRule: Sendable {
    /// Short name for the status file and the journal: `UV`, `PRE`, `CHG`.
    var name: String
    /// The trip condition: any of these matching.
    var tripWhenAny: [Check]
    /// The clear condition: none of these matching.
    var clearWhenNone: [Check]
    /// Trips at once, without `confirm_s`.
    var tripAtOnceWhenAny: [Check] = []
}

/// The three latches of behaviour.md's state model, built from the settings: the spec's table as data.
struct RuleTable: Sendable {
    /// UV: LOAD off (rules 3, 4 and 10).
    var underVoltage: LatchRule
    /// PRE: PRE-ALARM on (rule 5).
    var prealarm: LatchRule
    /// CHG: CHARGER off (rules 6 and 7).
    var charge: LatchRule

    init(settings: Settings) {
        let critical: [Check] = settings.criticalCellMillivolts.map {
            [.cellBelow(millivolts: $0, rule: .criticalFloor)]
        } ?? []
        let soc = settings.stateOfCharge

        var underVoltageTrip: [Check] = [
            .cellBelow(millivolts: settings.loadDisconnectMillivolts, rule: .underVoltage),
            .dischargeNotAllowed,
        ]
        var underVoltageClear: [Check] = [
            .cellBelow(millivolts: settings.loadReconnectMillivolts, rule: .underVoltage),
            .dischargeNotAllowed,
        ]
        var prealarmTrip: [Check] = [
            .cellBelow(millivolts: settings.prealarmMillivolts, rule: .prealarm),
            .prealarmFlagRaised,
        ]
        var prealarmClear: [Check] = [
            .cellBelow(millivolts: settings.prealarmClearMillivolts, rule: .prealarm),
            .prealarmFlagRaised,
        ]
        if let soc {
            underVoltageTrip.append(.stateOfChargeBelow(percent: soc.loadOffPercent))
            underVoltageClear.append(.stateOfChargeBelow(percent: soc.loadOnPercent))
            prealarmTrip.append(.stateOfChargeBelow(percent: soc.prealarmPercent))
            // The SoC pre-alarm clears where LOAD may return: the same hysteresis band as the cells'.
            prealarmClear.append(.stateOfChargeBelow(percent: soc.loadOnPercent))
        }
        underVoltage = LatchRule(
            name: "UV", tripWhenAny: underVoltageTrip, clearWhenNone: underVoltageClear,
            tripAtOnceWhenAny: critical)
        // PRE also trips whenever UV is about to (rule 5), and cannot clear while it would.
        prealarm = LatchRule(
            name: "PRE", tripWhenAny: prealarmTrip + underVoltageTrip,
            clearWhenNone: prealarmClear + underVoltageTrip, tripAtOnceWhenAny: critical)
        let hysteresis = settings.temperatureHysteresisDecicelsius
        charge = LatchRule(
            name: "CHG",
            tripWhenAny: [
                .cellAbove(millivolts: settings.chargeDisconnectMillivolts, rule: .overVoltage),
                .chargeNotAllowed,
                .temperatureOutside(
                    lowestDecicelsius: settings.chargeMinDecicelsius,
                    highestDecicelsius: settings.chargeMaxDecicelsius),
            ],
            clearWhenNone: [
                .cellAtOrAbove(millivolts: settings.chargeReconnectMillivolts, rule: .overVoltage),
                .chargeNotAllowed,
                .temperatureOutside(
                    lowestDecicelsius: settings.chargeMinDecicelsius + hysteresis,
                    highestDecicelsius: settings.chargeMaxDecicelsius - hysteresis),
            ])
    }
}
