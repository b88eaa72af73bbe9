/// Running totals of what the decoder saw, for the status output and for telling a noisy
/// cable (many `bad`) from a stuck adapter (many `repeats`) from a foreign device (`foreign`).
public struct BusCounters: Sendable, Hashable {
    /// Good `M8B` sentences that were delivered (repeats excluded).
    public var sentences: Int
    /// Sentences discarded for a CRC mismatch, a field-table violation, excess length or being
    /// cut short by the next `$`.
    public var bad: Int
    /// Good sentences withheld because their seq equalled the previous delivered seq of the same
    /// battery; a stuck adapter must look like a silent one.
    public var repeats: Int
    /// Good-CRC sentences of another type (not `M8B`); not an error, but worth showing.
    public var foreign: Int

    /// All counters start at zero; the labels let tests state an expected set in one expression.
    public init(sentences: Int = 0, bad: Int = 0, repeats: Int = 0, foreign: Int = 0) {
        self.sentences = sentences
        self.bad = bad
        self.repeats = repeats
        self.foreign = foreign
    }
}
