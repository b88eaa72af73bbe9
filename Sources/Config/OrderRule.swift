/// A relation two settings must keep, e.g. PRE-ALARM's threshold above LOAD's cut-off.
struct OrderRule {
    /// One side of the relation: a key, possibly plus or minus another (the temperature hysteresis).
    struct Term {
        let key: String
        let adjustment: (key: String, sign: Double)?

        init(_ key: String, plus added: String? = nil, minus subtracted: String? = nil) {
            self.key = key
            if let added {
                adjustment = (added, 1)
            } else if let subtracted {
                adjustment = (subtracted, -1)
            } else {
                adjustment = nil
            }
        }

        var keys: [String] { [key] + (adjustment.map { [$0.key] } ?? []) }
    }

    enum Relation {
        case above, atOrAbove, below

        func holds(_ subject: Double, _ reference: Double) -> Bool {
            switch self {
            case .above: subject > reference
            case .atOrAbove: subject >= reference
            case .below: subject < reference
            }
        }

        var text: String {
            switch self {
            case .above: "must be above"
            case .atOrAbove: "must be at or above"
            case .below: "must be below"
            }
        }
    }

    let subject: Term
    let relation: Relation
    let reference: Term
    /// Why the order matters, for the installer who has to pick new values.
    let reason: String
    /// `true` when a subject of `0` means "disabled" and the relation then does not apply.
    var skipsDisabledSubject = false
}
