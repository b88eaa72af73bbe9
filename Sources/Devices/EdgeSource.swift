import EdgeIO

/// An input line that reports its edges on a descriptor but has no debounce of its own: what a
/// libgpiod 1.x line gives (libgpiod 2 debounces in the kernel and does not need this).
///
/// ``DebouncedInput`` calls these only on its private queue, one at a time.
protocol EdgeSource: AnyObject {
    /// Polls readable while an edge event is pending.
    var edgeDescriptor: Int32 { get }
    /// Consumes every pending edge event without blocking.
    func drainEdges() throws(HardwareError)
    /// The logical level now (active-low honoured): true is ON.
    func readLevel() throws(HardwareError) -> Bool
    /// Gives the line back to the kernel. Called once, after the descriptor is no longer watched.
    func release()
}
