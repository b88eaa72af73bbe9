#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Devices
@testable import EdgeIO
@testable import Status
@testable import Systemd

/// A pseudo-terminal pair: the test plays the bus adapter on the master side, `SerialPort`
/// opens the slave path as it would open `/dev/ttyUSB0`.
private final class PtyPair {
    var master: Int32
    let slavePath: String

    init() throws {
        // openpty, not posix_openpt/grantpt/unlockpt/ptsname: Swift's Glibc module leaves the
        // X/Open pty functions out (they need _XOPEN_SOURCE), but imports openpty.
        var master: Int32 = -1
        var slave: Int32 = -1
        try #require(openpty(&master, &slave, nil, nil, nil) == 0, "openpty: \(String(cString: strerror(errno)))")
        defer { close(slave) }
        var name = [CChar](repeating: 0, count: 128)
        try #require(ttyname_r(slave, &name, name.count) == 0)
        self.master = master
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { closeMaster() }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } == bytes.count)
    }

    func closeMaster() {
        if master >= 0 { close(master) }
        master = -1
    }
}

/// Waits up to `milliseconds` for `descriptor` to poll readable (or hung up).
private func waitReadable(_ descriptor: Int32, milliseconds: Int32 = 2000) -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, milliseconds) == 1
}

/// Reads what arrives within a short while, as text.
private func receive(_ port: SerialPort, expecting count: Int) throws -> String {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while received.count < count, waitReadable(port.descriptor) {
        let read = try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
        received += buffer[0..<read]
    }
    return String(decoding: received, as: UTF8.self)
}

@Suite("SerialPort on a pseudo-terminal")
struct SerialPortTests {
    @Test("bytes written by the adapter side are read back unchanged, CR LF included")
    func readsWhatTheAdapterSends() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath, baud: 115200)
        let sentence = "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F\r\n"
        pty.send(sentence)
        #expect(try receive(port, expecting: sentence.utf8.count) == sentence)
    }

    @Test("an idle line reads 0 bytes and is not taken for a gone device")
    func idleLineReadsNothing() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath, baud: 9600)
        var buffer = [UInt8](repeating: 0, count: 64)
        for _ in 0..<3 {
            #expect(try buffer.withUnsafeMutableBytes { try port.read(into: $0) } == 0)
        }
    }

    @Test("every supported baud rate is accepted")
    func supportedBaudRates() throws {
        let pty = try PtyPair()
        for baud in SerialPort.supportedBaudRates {
            let port = try SerialPort(path: pty.slavePath, baud: baud)
            #expect(port.baud == baud)
            port.close()
        }
    }

    @Test("the port is raw 8N1 without flow control")
    func rawTerminalSettings() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath, baud: 57600)
        var settings = termios()
        #expect(tcgetattr(port.descriptor, &settings) == 0)
        #expect(settings.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(settings.c_cflag & tcflag_t(PARENB | CSTOPB) == 0)
        #expect(settings.c_cflag & tcflag_t(CRTSCTS) == 0)
        #expect(settings.c_cflag & tcflag_t(CLOCAL | CREAD) == tcflag_t(CLOCAL | CREAD))
        #expect(settings.c_iflag & tcflag_t(IXON | IXOFF | ICRNL) == 0)
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO) == 0)
        #expect(cfgetispeed(&settings) == speed_t(B57600))
        #expect(fcntl(port.descriptor, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(port.descriptor, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test("closing the adapter side makes read throw 'device gone'")
    func closedMasterIsDeviceGone() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath, baud: 115200)
        pty.send("$M8")
        #expect(try receive(port, expecting: 3) == "$M8")
        pty.closeMaster()
        var buffer = [UInt8](repeating: 0, count: 64)
        let error = thrownError(HardwareError.self) {
            _ = try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
        }
        #expect(error?.message.contains("lost \(pty.slavePath): device gone") == true)
    }

    @Test("a baud rate the adapter cannot use is refused, naming the allowed ones")
    func badBaudRefused() throws {
        let pty = try PtyPair()
        let error = thrownError(HardwareError.self) { try SerialPort(path: pty.slavePath, baud: 4800) }
        #expect(error?.message
            == "cannot use \(pty.slavePath): unsupported baud rate 4800 (check [bus] baud; allowed: 9600, 19200, 38400, 57600, 115200)")
    }

    @Test("a missing device names the path and what to check")
    func missingDevice() {
        let path = "/dev/ttyUSB-smallbmsd-test-missing"
        let error = thrownError(HardwareError.self) { try SerialPort(path: path, baud: 115200) }
        #expect(error?.message
            == "cannot open \(path): no such device (is the bus adapter plugged in? check [bus] device; ls /dev/serial/by-id/)")
        #expect(error?.errno == ENOENT)
    }

    @Test("a regular file is refused as not a serial device")
    func notASerialDevice() throws {
        var template = Array("/tmp/smallbmsd-serial-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        close(fd)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let error = thrownError(HardwareError.self) { try SerialPort(path: path, baud: 115200) }
        #expect(error?.message.hasPrefix("cannot use \(path): not a serial device") == true)
    }

    @Test("a second opener is refused while the port is held", .enabled(if: geteuid() != 0, "root bypasses TIOCEXCL"))
    func exclusiveUse() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath, baud: 115200)
        let error = thrownError(HardwareError.self) { try SerialPort(path: pty.slavePath, baud: 115200) }
        #expect(error?.errno == EBUSY)
        // close() drops the claim: a pty keeps it while its master lives, and a reload reopens.
        port.close()
        #expect(throws: Never.self) { try SerialPort(path: pty.slavePath, baud: 115200) }
    }

    @Test("close is idempotent, and a closed port refuses to read")
    func closeTwice() throws {
        let pty = try PtyPair()
        let port = try SerialPort(path: pty.slavePath, baud: 115200)
        port.close()
        port.close()
        #expect(port.descriptor == -1)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(throws: HardwareError.self) {
            _ = try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
        }
    }
}
