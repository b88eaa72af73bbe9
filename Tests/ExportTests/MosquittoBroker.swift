import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `mosquitto` broker on 127.0.0.1 and a free port, in a temporary folder, with no
/// persistence: a restart forgets every retained message, as a broker restored from nothing would.
final class MosquittoBroker {
    let folder: URL
    let port: Int
    private var process: Process?
    private let configPath: String
    private let logPath: String

    /// The programs the tests need and the Debian package of each; a missing one is a failure.
    static func program(_ name: String, package: String) throws -> String {
        for folder in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw MissingProgram(
            description: "\(name) is not installed: apt-get install \(package) (scripts/install-deps.sh installs it)")
    }

    struct MissingProgram: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-mqtt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        configPath = folder.appendingPathComponent("mosquitto.conf").path
        logPath = folder.appendingPathComponent("mosquitto.log").path
        try """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    /// Starts the broker and waits until it accepts connections.
    func start() throws {
        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: try Self.program("mosquitto", package: "mosquitto"))
        broker.arguments = ["-c", configPath]
        broker.standardOutput = FileHandle(forWritingAtPath: logPath)
        broker.standardError = FileHandle(forWritingAtPath: logPath)
        try broker.run()
        process = broker
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            guard broker.isRunning else { break }
            usleep(20_000)
        }
        throw MissingProgram(description: "mosquitto did not listen on 127.0.0.1:\(port): \(log)")
    }

    /// Stops the broker and waits for it to exit: every client's connection drops.
    func stop() {
        guard let broker = process else { return }
        MosquittoBroker.kill(broker)
        process = nil
    }

    /// SIGKILL, not SIGTERM: a child of the test runner inherits its blocked signals (measured:
    /// SIGTERM is in mosquitto's SigBlk there), and SIGKILL cannot be blocked.
    static func kill(_ process: Process) {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(10_000) }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A `mosquitto_sub -v` on `topics`, printing `topic payload` lines into a file.
    func subscribe(_ topics: [String]) throws -> Subscriber {
        try Subscriber(
            program: try Self.program("mosquitto_sub", package: "mosquitto-clients"), port: port, topics: topics,
            output: folder.appendingPathComponent("sub-\(UUID().uuidString).txt").path)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A subscriber that keeps what it received; ``stop()`` or deinit ends it.
    final class Subscriber {
        private let process = Process()
        private let output: String

        init(program: String, port: Int, topics: [String], output: String) throws {
            self.output = output
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["-h", "127.0.0.1", "-p", String(port), "-v"] + topics.flatMap { ["-t", $0] }
            process.standardOutput = FileHandle(forWritingAtPath: output)
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Every `topic payload` line so far.
        var lines: [String] {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// Waits until every line in `expected` has arrived; returns those still missing.
        func waitFor(_ expected: [String], timeout: Double) -> [String] {
            let deadline = Date().addingTimeInterval(timeout)
            var missing = expected
            while Date() < deadline {
                let received = Set(lines)
                missing = expected.filter { !received.contains($0) }
                if missing.isEmpty { return [] }
                usleep(50_000)
            }
            return missing
        }

        /// The payload of the last message on `topic`.
        func last(_ topic: String) -> String? {
            lines.last { $0.hasPrefix(topic + " ") }.map { String($0.dropFirst(topic.count + 1)) }
        }

        func stop() { MosquittoBroker.kill(process) }

        deinit { stop() }
    }

    // MARK: - Ports

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw MissingProgram(description: "no free TCP port on 127.0.0.1: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
