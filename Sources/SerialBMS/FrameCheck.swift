/// A protocol's verdict on the bytes held from a start byte on, for ``FrameScanner``.
public enum FrameCheck: Sendable, Hashable {
    /// Too few bytes yet to decide.
    case needMore
    /// The first `length` bytes are one complete, checked frame.
    case complete(length: Int)
    /// The candidate is not a frame; the scanner resynchronises from the byte after its start byte.
    case bad(FrameFault)
}
