/// The state of one latch: set by a trip condition held for `confirm_s`, cleared by a clear
/// condition held for `recover_s` (rule 9).
///
/// A condition starts to hold at the instant of the reading that made it true, so `observe`
/// is called with each new reading and `advance` with every evaluation.
struct Latch: Sendable {
    /// The rule-table row this latch follows.
    let rule: LatchRule
    /// Whether the latch is set (the protective action is due).
    private(set) var isSet = false
    /// Why it was last set.
    private(set) var setReason: Reason?
    /// When it was last set.
    private(set) var setAt: Instant?
    /// Why it was last cleared.
    private(set) var clearReason: Reason?
    /// When it was last cleared.
    private(set) var clearedAt: Instant?
    /// Since when the trip condition has held, or nil while it does not.
    private(set) var tripHoldsSince: Instant?
    /// Since when the clear condition has held, or nil while it does not.
    private(set) var clearHoldsSince: Instant?
    /// The immediate trip that holds on the latest data (the critical floor), if any.
    private(set) var immediateTrip: Reason?

    init(rule: LatchRule) { self.rule = rule }

    /// A latch following a new rule (a config reload) that keeps `other`'s set/clear state;
    /// its conditions start over at the next `observe`.
    init(rule: LatchRule, carryingStateOf other: Latch) {
        self.rule = rule
        isSet = other.isSet
        setReason = other.setReason
        setAt = other.setAt
        clearReason = other.clearReason
        clearedAt = other.clearedAt
    }

    /// Takes in new data read at `now`: conditions start or stop holding here.
    mutating func observe(_ bank: BankData, at now: Instant) {
        let tripHolds = rule.tripWhenAny.contains { $0.firstMatch(in: bank) != nil }
        tripHoldsSince = tripHolds ? (tripHoldsSince ?? now) : nil
        let clearHolds = !rule.clearWhenNone.contains { $0.firstMatch(in: bank) != nil }
        clearHoldsSince = clearHolds ? (clearHoldsSince ?? now) : nil
        immediateTrip = Self.firstReason(of: rule.tripAtOnceWhenAny, in: bank)
    }

    /// Sets or clears the latch when its delay (`confirm`, `recover`: nanoseconds) has run out at
    /// `now`; returns whether it changed.
    mutating func advance(to now: Instant, bank: BankData, confirm: Int64, recover: Int64) -> Bool {
        if !isSet {
            if let immediateTrip {
                set(at: now, reason: immediateTrip)
                return true
            }
            if let since = tripHoldsSince, now.nanoseconds(since: since) >= confirm {
                let reason = Self.firstReason(of: rule.tripWhenAny, in: bank)
                    ?? Reason(rule: .underVoltage, text: "\(rule.name) trip condition held")
                set(at: now, reason: reason)
                return true
            }
        } else if immediateTrip == nil, let since = clearHoldsSince, now.nanoseconds(since: since) >= recover {
            isSet = false
            clearedAt = now
            let conditions = Self.clearTexts(of: rule.clearWhenNone).joined(separator: ", ")
            clearReason = Reason(rule: rule.clearWhenNone.first?.rule ?? .startUp, text: "\(conditions) for \(secondsText(now - since))")
            return true
        }
        return false
    }

    /// The next instant at which `advance` would change the latch with no new data.
    @inline(__always)
    func deadline(confirm: Int64, recover: Int64) -> Instant? {
        if !isSet { return tripHoldsSince.map { $0.advanced(byNanoseconds: confirm) } }
        return clearHoldsSince.map { $0.advanced(byNanoseconds: recover) }
    }

    private mutating func set(at now: Instant, reason: Reason) {
        isSet = true
        setAt = now
        setReason = reason
    }

    /// What the clear condition says, without the parts a stricter part already says
    /// ("every cell >= 3.20 V" makes "every cell >= 2.80 V" go without saying).
    private static func clearTexts(of checks: [Check]) -> [String] {
        let highestFloor = checks.compactMap { check -> Int? in
            if case .cellBelow(let millivolts, _) = check { return millivolts }
            return nil
        }.max()
        return checks.filter { check in
            if case .cellBelow(let millivolts, _) = check { return millivolts == highestFloor }
            return true
        }.map(\.clearText).uniqued()
    }

    private static func firstReason(of checks: [Check], in bank: BankData) -> Reason? {
        for check in checks {
            if let match = check.firstMatch(in: bank) { return check.tripReason(match, bank: bank) }
        }
        return nil
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
