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

/// A unix datagram socket standing in for systemd's notification socket.
private final class NotificationListener {
    let path: String
    let directory: String
    private let socketDescriptor: Int32

    init() throws {
        directory = try ProcessGlobalsTests.makeTemporaryDirectory()
        path = directory + "/notify"
        socketDescriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(socketDescriptor >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        try #require(pathBytes.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0, "bind: \(String(cString: strerror(errno)))")
    }

    deinit {
        close(socketDescriptor)
        unlink(path)
        rmdir(directory)
    }

    /// The next datagram, or nil when none is waiting (sd_notify's send has completed on return).
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}

extension ProcessGlobalsTests {
    @Suite("ServiceManager")
    struct ServiceManagerTests {
        @Test("ready() sends READY=1 to NOTIFY_SOCKET")
        func readyReachesSocket() throws {
            let listener = try NotificationListener()
            ProcessGlobalsTests.withEnvironment(["NOTIFY_SOCKET": listener.path]) {
                #expect(ServiceManager.isUnderSystemd)
                #expect(ServiceManager.ready())
                #expect(listener.receive() == "READY=1")
                #expect(ServiceManager.watchdog())
                #expect(listener.receive() == "WATCHDOG=1")
                #expect(ServiceManager.stopping())
                #expect(listener.receive() == "STOPPING=1")
                #expect(listener.receive() == nil)
            }
        }

        @Test("status text is sent on one line, so it cannot add assignments")
        func statusIsOneLine() throws {
            let listener = try NotificationListener()
            ProcessGlobalsTests.withEnvironment(["NOTIFY_SOCKET": listener.path]) {
                #expect(ServiceManager.status("LOAD on, CHARGER on\nREADY=1"))
                #expect(listener.receive() == "STATUS=LOAD on, CHARGER on READY=1")
            }
        }

        @Test("reloading() sends RELOADING=1 with the monotonic time systemd 253+ wants")
        func reloadingCarriesMonotonicTime() throws {
            let listener = try NotificationListener()
            try ProcessGlobalsTests.withEnvironment(["NOTIFY_SOCKET": listener.path]) {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let before = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
                #expect(ServiceManager.reloading())
                let lines = try #require(listener.receive()).split(separator: "\n")
                #expect(lines.count == 2)
                #expect(lines.first == "RELOADING=1")
                let value = try #require(lines.last?.split(separator: "=", maxSplits: 1).last.flatMap { UInt64($0) })
                #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
                #expect(value >= before && value < before + 10_000_000)
            }
        }

        @Test("outside systemd every notification is a harmless no-op")
        func noSocketNoOp() {
            ProcessGlobalsTests.withEnvironment(["NOTIFY_SOCKET": nil]) {
                #expect(!ServiceManager.isUnderSystemd)
                #expect(!ServiceManager.ready())
                #expect(!ServiceManager.notify("STATUS=nobody listens"))
            }
        }

        @Test("the watchdog interval comes from WATCHDOG_USEC when WATCHDOG_PID is this process")
        func watchdogForThisProcess() {
            ProcessGlobalsTests.withEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": String(getpid())]) {
                #expect(ServiceManager.watchdogInterval == .seconds(2))
            }
        }

        @Test("no watchdog interval when WATCHDOG_PID names another process, or WATCHDOG_USEC is unset")
        func watchdogForAnotherProcess() {
            ProcessGlobalsTests.withEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": String(getpid() + 1)]) {
                #expect(ServiceManager.watchdogInterval == nil)
            }
            ProcessGlobalsTests.withEnvironment(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) {
                #expect(ServiceManager.watchdogInterval == nil)
            }
            ProcessGlobalsTests.withEnvironment(["WATCHDOG_USEC": "soon", "WATCHDOG_PID": String(getpid())]) {
                #expect(ServiceManager.watchdogInterval == nil)
            }
        }
    }
}
