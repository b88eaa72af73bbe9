#if canImport(Glibc)
import Glibc
#endif

/// A way to stop a running ``Daemon`` from another thread.
public struct StopHandle: Sendable {
    let descriptor: Int32

    /// Stops the loop as SIGTERM would: every output OFF, lines released, `run()` returns 0.
    public func requestStop() {
        var byte: UInt8 = 1
        _ = write(descriptor, &byte, 1)
    }
}
