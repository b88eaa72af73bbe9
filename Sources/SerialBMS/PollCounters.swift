/// Running totals of one polled battery link, for the status file and the journal
/// (rule 8's "counted, per battery").
public struct PollCounters: Sendable, Hashable {
    /// Requests written.
    public var polls = 0
    /// Poll cycles started (one per poll interval).
    public var cycles = 0
    /// Cycles that gave a reading.
    public var readings = 0
    /// Reply frames accepted for the outstanding request.
    public var replies = 0
    /// Frames discarded by the decoder: checksum, length or framing (``FrameCounters/bad``).
    public var bad = 0
    /// Noise bytes outside any frame (``FrameCounters/skippedBytes``).
    public var skippedBytes = 0
    /// Valid replies for another register than the one asked, refused.
    public var wrongRegister = 0
    /// Replies for the register asked whose content the BMS marked as an error or that did not fit.
    public var invalidReplies = 0
    /// Requests that got no complete answer within the reply timeout.
    public var timeouts = 0
    /// Cycles still open when the next poll was due, dropped whole.
    public var abandonedCycles = 0
    /// Valid replies that came while no request was outstanding (late, after a timeout).
    public var unsolicited = 0
    /// Frames that were not replies (the echo of our own request on a half-duplex adapter).
    public var notReplies = 0

    /// All zero.
    public init() {}
}
