import EdgeIO
#if canImport(Glibc)
import Glibc

/// A pseudo-terminal pair whose master side this process writes to, so that a daemon can open
/// the slave path like a serial adapter: `simulate` without `--port`, and the demo's internal bus.
public final class PseudoTerminal: Sendable {
    /// The master side: what this process writes the bus bytes into.
    public let masterDescriptor: Int32
    /// The slave path a daemon opens as its `[bus] device`, e.g. `/dev/pts/3`.
    public let slavePath: String
    /// Held open so the master never sees a hang-up while the daemon reopens the slave.
    private let slaveKeepAlive: Int32

    /// Opens a new pair with raw line settings (no echo, no newline translation).
    public init() throws(HardwareError) {
        // openpty, not posix_openpt: Swift's Glibc module leaves the X/Open pty calls out.
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else {
            throw HardwareError("cannot create a pseudo-terminal: \(String(cString: strerror(errno)))", errno: errno)
        }
        var name = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slave, &name, name.count) == 0 else {
            close(master)
            close(slave)
            throw HardwareError("cannot name the pseudo-terminal: \(String(cString: strerror(errno)))", errno: errno)
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        masterDescriptor = master
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        slaveKeepAlive = slave
        var settings = termios()
        if tcgetattr(slaveKeepAlive, &settings) == 0 {
            cfmakeraw(&settings)
            tcsetattr(slaveKeepAlive, TCSANOW, &settings)
        }
    }

    /// Writes every byte (blocking until the kernel took them all).
    public func write(_ bytes: [UInt8]) throws(HardwareError) {
        try DescriptorWriter.writeAll(masterDescriptor, bytes, to: slavePath)
    }

    deinit {
        close(slaveKeepAlive)
        close(masterDescriptor)
    }
}

#endif
