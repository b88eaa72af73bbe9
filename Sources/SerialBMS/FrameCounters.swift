/// What a frame decoder delivered and discarded, for telling a good link from a noisy cable
/// (`badChecksum`), a wrong baud (`skippedBytes` and `badFraming` with no `frames`) or a
/// foreign device on the line.
public struct FrameCounters: Sendable, Hashable {
    /// Frames whose framing, length and checksum were right, delivered in stream order.
    public var frames = 0
    /// Well-framed frames whose checksum did not match.
    public var badChecksum = 0
    /// Frames whose length field is impossible, or whose content does not fit the length it
    /// claims (a cell-voltage block of an odd byte count, a JBD 0x03 shorter than its NTC count).
    public var badLength = 0
    /// Candidates that had the start byte but not the protocol's other fixed bytes (end byte,
    /// second header byte).
    public var badFraming = 0
    /// Bytes outside any frame (noise, a half frame after start-up), dropped while resynchronising.
    public var skippedBytes = 0

    /// All zero.
    public init() {}

    /// Every discarded frame, whatever the reason: the session's `bad` counter.
    public var bad: Int { badChecksum + badLength + badFraming }
}
