/// What a poll cycle made of one decoded frame.
public enum FrameVerdict: Sendable, Hashable {
    /// The frame answers the outstanding request and completes it: send the next one.
    case completes
    /// The frame is part of the answer (one of several frames); more are due.
    case needsMore
    /// A reply, but for another register than the one asked: refused and counted.
    case wrongRegister
    /// The reply for the register asked, but unusable (the BMS reported an error, or a part is
    /// out of order): the request is over and this cycle yields no reading.
    case invalid
    /// Not a reply at all: the echo of our own request on a half-duplex RS485 adapter, or
    /// another master's request. Ignored and counted.
    case notAReply
}
