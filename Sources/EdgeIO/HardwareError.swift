#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure at an edge (UART, GPIO, systemd, files), worded for an installer: what failed,
/// on which path or line, and the likely cause.
public struct HardwareError: Error, Sendable, CustomStringConvertible {
    /// The whole message, e.g. `cannot open /dev/ttyUSB0: permission denied (is the user in group dialout?)`.
    public var message: String
    /// The errno behind it, when there is one.
    public var errno: Int32?

    public init(_ message: String, errno: Int32? = nil) {
        self.message = message
        self.errno = errno
    }

    public var description: String { message }

    /// `strerror` text with the number, for messages: `Permission denied (errno 13)`.
    public static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
