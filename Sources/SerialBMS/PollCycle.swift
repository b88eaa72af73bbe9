import BMSCore

/// One poll cycle of a protocol: the requests it sends one after another and what it keeps of
/// their replies, until it can state one reading.
///
/// A cycle never outlives its poll: ``PollSession`` makes a new one for every poll, so data of
/// two polls is never merged.
public protocol PollCycle: Sendable {
    /// The decoder's frame type.
    associatedtype Frame: Sendable

    /// The bytes of the next request to write, or nil when the cycle has sent every request it
    /// can (then it is over). Called once at the start and after each request completes or times out.
    mutating func nextRequest() -> [UInt8]?
    /// Offers a decoded frame while a request is outstanding.
    mutating func take(_ frame: Frame) -> FrameVerdict
    /// The outstanding request got no complete answer in time; what it should have brought is missing.
    mutating func requestTimedOut()
    /// The reading, when every register the mapping needs arrived valid in this cycle; else nil.
    func reading(battery: Int) -> BatteryReading?
}
