import BMSCore

/// Debounces the remote input (rule 1): a new level counts once it has been stable for the
/// debounce time. Pure: the caller passes the instants, and asks again at `deadline`.
public struct Debouncer: Sendable {
    /// The debounced level.
    public private(set) var level: Bool
    /// How long a new raw level must hold.
    public let stableFor: Duration
    private var candidate: Bool
    private var candidateSince: Instant

    /// Starts at `level` (read once at start-up, no debounce needed for the first reading).
    public init(level: Bool, stableFor: Duration, at now: Instant) {
        self.level = level
        self.stableFor = stableFor
        candidate = level
        candidateSince = now
    }

    /// Takes a raw reading at `now`; returns the new debounced level when it changed.
    public mutating func observe(_ raw: Bool, at now: Instant) -> Bool? {
        if raw != candidate {
            candidate = raw
            candidateSince = now
        }
        return settle(at: now)
    }

    /// Lets time pass; returns the new debounced level when the candidate became stable.
    public mutating func settle(at now: Instant) -> Bool? {
        guard candidate != level, now - candidateSince >= stableFor else { return nil }
        level = candidate
        return level
    }

    /// When the current candidate becomes stable, if a change is pending.
    public var deadline: Instant? {
        candidate != level ? candidateSince + stableFor : nil
    }
}
