/// A protocol's streaming reply decoder: bytes in any chunking in, checked typed frames out.
///
/// Implementations resynchronise after noise, hold a bounded number of bytes, verify the
/// checksum and the lengths, and count what they drop.
public protocol FrameDecoder: Sendable {
    /// One checked frame, typed.
    associatedtype Frame: Sendable & Equatable

    /// What was delivered and discarded since the decoder was made; `reset()` keeps it.
    var counters: FrameCounters { get }
    /// Bytes held of a partial frame; bounded by the protocol's longest frame.
    var heldByteCount: Int { get }
    /// Consumes `bytes` and calls `deliver` once per checked frame, in stream order.
    mutating func feed<C: Collection>(_ bytes: C, _ deliver: (Frame) -> Void) where C.Element == UInt8
    /// Forgets a partial frame, for when the port is reopened.
    mutating func reset()
}
