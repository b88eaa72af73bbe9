#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe whose ends never block, for wake-ups: a writer must not stall when nobody reads, and a
/// drain must stop when the pipe is empty.
public enum NonBlockingPipe {
    /// Opens a pipe with both ends non-blocking and close-on-exec.
    public static func make(purpose: String) throws(HardwareError) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            let code = errno
            throw HardwareError(
                "cannot create \(purpose): \(HardwareError.describe(errno: code)) (too many open files? check ulimit -n)",
                errno: code)
        }
        for descriptor in ends {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }

    /// Reads until the pipe is empty.
    public static func drain(_ descriptor: Int32) throws(HardwareError) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 { continue }
            if count == 0 { return }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return }
            throw HardwareError("cannot read a wake-up pipe: \(HardwareError.describe(errno: code))", errno: code)
        }
    }
}
