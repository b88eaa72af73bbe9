import Config
import EdgeIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UART opened raw (8N1, no flow control) and non-blocking: the M8 bus adapter's, or the
/// VE.Direct port of a battery monitor.
///
/// The daemon polls ``descriptor`` for input and calls ``read(into:)`` when it is readable, so
/// nothing here ever blocks. One task owns a port: it is not `Sendable` on purpose.
public final class SerialPort {
    /// The baud rates a port can be set to (one list for the whole daemon: ``SerialBaudRates``).
    public static let supportedBaudRates = SerialBaudRates.supported

    /// The path the port was opened from, for error messages.
    public let path: String
    /// The baud rate the port was set to.
    public let baud: Int
    /// The open file descriptor, for `poll`; -1 once the port is closed.
    public private(set) var descriptor: Int32
    /// What is at the other end, for error messages.
    public let role: Role

    /// What a port is for: its errors name the device and the config key to check.
    public struct Role: Sendable {
        /// The device at the other end, e.g. `the bus adapter`.
        public var device: String
        /// The config key that names the port, e.g. `[bus] device`.
        public var configKey: String
        /// Typical paths, e.g. `/dev/ttyUSB0 or /dev/ttyAMA0`.
        public var examples: String

        /// The M8 bus adapter (`[bus] device`).
        public static let busAdapter = Role(device: "the bus adapter", configKey: "[bus] device", examples: "/dev/ttyUSB0 or /dev/ttyAMA0")
        /// The VE.Direct cable of a SmartShunt or BMV (`[vedirect] device`).
        public static let batteryMonitor = Role(device: "the VE.Direct cable", configKey: "[vedirect] device", examples: "/dev/ttyUSB1")

        /// The USB-serial adapter of a battery's own BMS, the `index`th `[[battery]]` table.
        public static func batteryBMS(table index: Int) -> Role {
            Role(device: "the BMS's USB-serial adapter", configKey: "battery[\(index)].device", examples: "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0")
        }
    }

    /// Opens `path` at `baud`, raw 8N1 without flow control, and discards input that arrived
    /// before (a half sentence from before the daemon started is noise, not data).
    ///
    /// Errors name the path and what to check: the adapter being plugged in, group `dialout`,
    /// another program holding the port, a path that is not a serial device.
    public init(path: String, baud: Int, role: Role = .busAdapter) throws(HardwareError) {
        guard let speed = Self.speed(for: baud) else {
            let allowed = Self.supportedBaudRates.map(String.init).joined(separator: ", ")
            throw HardwareError("cannot use \(path): unsupported baud rate \(baud) (check [bus] baud; allowed: \(allowed))")
        }
        // O_NOCTTY: a daemon without a controlling terminal must not acquire the adapter as one,
        // or a hangup on the line would send it SIGHUP, which means "reload" here.
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw Self.openError(path: path, errno: errno, role: role)
        }
        do throws(HardwareError) {
            try Self.configure(fd, path: path, speed: speed, role: role)
        } catch {
            _ = closeDescriptor(fd)
            throw error
        }
        self.path = path
        self.baud = baud
        self.descriptor = fd
        self.role = role
    }

    deinit {
        close()
    }

    /// Reads what is waiting, up to the buffer's size. Returns 0 when nothing is available yet.
    ///
    /// Throws when the device is gone (a USB adapter unplugged, a pty whose other side closed) or
    /// the port is closed: every error means this port is unusable, close it and open it again.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(HardwareError) -> Int {
        guard descriptor >= 0 else {
            throw HardwareError("cannot read \(path): the port is closed")
        }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = readDescriptor(descriptor, base, buffer.count)
            if count > 0 { return count }
            if count == 0 {
                // With VMIN = 1 and O_NONBLOCK an idle line gives EAGAIN, so 0 is a real end of
                // file: the kernel hung the tty up (USB unplug) or the pty master went away.
                throw HardwareError("lost \(path): device gone (end of file; was \(role.device) unplugged?)")
            }
            let error = errno
            switch error {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return 0
            case EIO, ENXIO, ENODEV:
                throw HardwareError(
                    "lost \(path): device gone (\(Self.describe(error)); was \(role.device) unplugged?)", errno: error)
            default:
                throw HardwareError("cannot read \(path): \(Self.describe(error))", errno: error)
            }
        }
    }

    /// Closes the port. Closing twice is harmless; the deinitializer closes a port left open.
    public func close() {
        guard descriptor >= 0 else { return }
        // A pty keeps the exclusive flag for as long as its master is open, so without this the
        // daemon itself (not running as root) could not reopen a simulator's pty after a reload.
        _ = ioctl(descriptor, UInt(TIOCNXCL))
        // Linux releases the descriptor even when close reports an error, so it is never retried.
        _ = closeDescriptor(descriptor)
        descriptor = -1
    }

    // MARK: - Set-up

    private static func speed(for baud: Int) -> speed_t? {
        switch baud {
        case 9600: speed_t(B9600)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115200: speed_t(B115200)
        default: nil
        }
    }

    private static func configure(_ fd: Int32, path: String, speed: speed_t, role: Role) throws(HardwareError) {
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else {
            let error = errno
            if error == ENOTTY || error == EINVAL {
                throw HardwareError(
                    "cannot use \(path): not a serial device (check \(role.configKey): it must be the UART of \(role.device), e.g. \(role.examples))",
                    errno: error)
            }
            throw HardwareError("cannot configure \(path): \(describe(error))", errno: error)
        }
        cfmakeraw(&settings)
        settings.c_cflag &= ~tcflag_t(CSIZE | PARENB | CSTOPB)
        settings.c_cflag &= ~tcflag_t(CRTSCTS)
        // CLOCAL: the adapter has no modem lines, and without it open/read would wait for carrier.
        settings.c_cflag |= tcflag_t(CS8 | CLOCAL | CREAD)
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        withUnsafeMutableBytes(of: &settings.c_cc) { controlCharacters in
            // VMIN 1, not 0: with VMIN 0 and VTIME 0 Linux returns 0 from read on an idle line even
            // with O_NONBLOCK, which is indistinguishable from a hung-up (unplugged) device. With
            // VMIN 1 an idle non-blocking read fails with EAGAIN instead, and never blocks.
            controlCharacters[Int(VMIN)] = 1
            controlCharacters[Int(VTIME)] = 0
        }
        guard cfsetispeed(&settings, speed) == 0, cfsetospeed(&settings, speed) == 0 else {
            let error = errno
            throw HardwareError("cannot set the baud rate of \(path): \(describe(error))", errno: error)
        }
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else {
            let error = errno
            throw HardwareError("cannot configure \(path): \(describe(error))", errno: error)
        }
        guard tcflush(fd, TCIFLUSH) == 0 else {
            let error = errno
            throw HardwareError("cannot flush \(path): \(describe(error))", errno: error)
        }
        // Exclusive use: a second reader (picocom, a second daemon) would steal bytes from this one
        // and turn good sentences into bad ones; with TIOCEXCL its open fails with EBUSY instead
        // (root's opens are exempt). Last, so no failure after it leaves the flag behind; best
        // effort, as a port without it still works.
        _ = ioctl(fd, UInt(TIOCEXCL))
    }

    private static func openError(path: String, errno error: Int32, role: Role) -> HardwareError {
        let why: String
        switch error {
        case ENOENT:
            why = "no such device (is \(role.device) plugged in? check \(role.configKey); ls /dev/serial/by-id/)"
        case ENXIO, ENODEV:
            why = "no device behind it (is \(role.device) plugged in, or the UART enabled? check \(role.configKey); ls /dev/serial/by-id/)"
        case EACCES, EPERM:
            why = "permission denied (the smallbmsd user needs group dialout)"
        case EBUSY:
            why = "device busy (another program holds it, e.g. ModemManager, a serial console or picocom; fuser -v \(path))"
        case EISDIR:
            why = "is a directory (check \(role.configKey))"
        default:
            why = describe(error)
        }
        return HardwareError("cannot open \(path): \(why)", errno: error)
    }

    private static func describe(_ error: Int32) -> String {
        String(cString: strerror(error))
    }
}

// The methods `read` and `close` hide the C functions inside the class; these reach them
// without naming the C module, which differs between Glibc and Darwin.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
