#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one write-every-byte loop of the edges (UART, pty, status file, journal, stderr).
///
/// `write(2)` may take fewer bytes than asked, be interrupted, or (on a non-blocking descriptor)
/// refuse with EAGAIN while the device's buffer is full; what to do then differs by caller: a
/// serial peer is worth waiting for, a log line is not worth stalling the control loop.
public enum DescriptorWriter {
    /// What to do when a non-blocking descriptor is full (EAGAIN).
    public enum WhenFull: Sendable {
        /// Wait (100 ms at a time) until it takes more bytes.
        case wait
        /// Stop and report EAGAIN.
        case giveUp
    }

    /// Writes every byte of `bytes` to `descriptor`, retrying on EINTR; nil when all were
    /// written, otherwise the errno that stopped it (EIO when the descriptor took nothing).
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, whenFull: WhenFull) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written > 0 {
                offset += written
                continue
            }
            guard written < 0 else { return EIO }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN, whenFull == .wait {
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 100)
                continue
            }
            return code
        }
        return nil
    }

    /// Writes every byte of `bytes` (see ``writeAll(_:_:whenFull:)``).
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], whenFull: WhenFull) -> Int32? {
        bytes.withUnsafeBytes { writeAll(descriptor, $0, whenFull: whenFull) }
    }

    /// Writes every byte or throws an error naming `what` (a device path).
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], to what: String) throws(HardwareError) {
        if let code = writeAll(descriptor, bytes, whenFull: .wait) {
            throw HardwareError("cannot write to \(what): \(HardwareError.describe(errno: code))", errno: code)
        }
    }
}
