import BMSCore

/// Several decisions taken at one instant, merged into one: the changes and notices of all of
/// them in order, the levels and deadline of the last.
public struct DecisionMerger: Sendable {
    /// The merged decision, nil until one was added.
    public private(set) var decision: Decision?

    public init() {}

    /// Adds the next decision taken at the same instant.
    public mutating func add(_ next: Decision) {
        guard var merged = decision else {
            decision = next
            return
        }
        merged.changes += next.changes
        merged.notices += next.notices
        merged.levels = next.levels
        merged.nextDeadline = next.nextDeadline
        decision = merged
    }

    /// Forgets what was merged, keeping nothing.
    public mutating func reset() { decision = nil }
}
