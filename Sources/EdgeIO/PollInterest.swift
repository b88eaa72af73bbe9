/// A descriptor a source wants polled, and for which events.
public struct PollInterest: Sendable, Hashable {
    /// The open descriptor.
    public var descriptor: Int32
    /// `poll(2)` events: `POLLIN`, `POLLOUT`, or both.
    public var events: Int16

    public init(descriptor: Int32, events: Int16) {
        self.descriptor = descriptor
        self.events = events
    }
}
