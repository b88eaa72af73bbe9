import EdgeIO
#if canImport(Glibc)
import CLinux
import Glibc

/// The signals the daemon handles, delivered through a `signalfd` so the run loop's single
/// `poll` sees them like any other input: no handler runs in signal context.
public final class SignalDescriptor {
    /// What a signal asks the daemon to do.
    public enum Request: Sendable {
        /// SIGTERM or SIGINT: drive every output OFF, release the lines, exit 0.
        case stop
        /// SIGHUP: re-read the config file.
        case reload
    }

    /// The descriptor to poll.
    public let descriptor: Int32

    /// Blocks SIGTERM, SIGINT and SIGHUP for the whole process and opens a signalfd for them.
    /// Call before any other thread starts, so every thread inherits the mask.
    public init() throws(HardwareError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, signal) }
        guard pthread_sigmask(SIG_BLOCK, &mask, nil) == 0 else {
            throw HardwareError("cannot block signals: \(String(cString: strerror(errno)))", errno: errno)
        }
        let descriptor = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard descriptor >= 0 else {
            throw HardwareError("cannot create a signalfd: \(String(cString: strerror(errno)))", errno: errno)
        }
        self.descriptor = descriptor
    }

    /// The requests pending, in arrival order; empty when none.
    public func read() -> [Request] {
        var requests: [Request] = []
        var info = signalfd_siginfo()
        while Glibc.read(descriptor, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGHUP: requests.append(.reload)
            default: requests.append(.stop)
            }
        }
        return requests
    }

    deinit { close(descriptor) }
}
#endif
