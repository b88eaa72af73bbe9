import BMSCore
import Foundation
import Status
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `smallbmsd export` against a real mosquitto broker on loopback: discovery and states
/// arrive, follow the status file, and come back whole after the broker is stopped and restarted.
@Suite("smallbmsd export against a real mosquitto broker", .serialized)
struct ExporterBrokerTests {
    /// A status file as the daemon writes it, kept fresh by the test, with this test's pid as
    /// the daemon's (a live process).
    final class StatusWriter {
        let path: String
        var cells = [3312, 3310, 3308, 3305]
        var load = OutputState.on
        var stopped = false

        init(folder: URL) { path = folder.appendingPathComponent("status.json").path }

        func write() throws {
            func entry(_ state: OutputState) -> StatusReport.OutputStatus {
                stopped
                    ? StatusReport.OutputStatus(state: .off, reason: "daemon stopped: driven OFF and released", since: nil)
                    : StatusReport.OutputStatus(state: state, reason: "start-up", since: nil)
            }
            let report = StatusReport(
                version: "0.1.0", pid: Int(getpid()), updated: StatusReport.timestamp(secondsSinceEpoch: Date().timeIntervalSince1970),
                uptimeSeconds: 10, remote: .on, started: true, fault: nil,
                outputs: StatusReport.Outputs(
                    load: entry(load), charger: entry(.on), prealarm: entry(.off), ledLoad: entry(load), ledTempOVP: entry(.off)),
                batteries: [StatusReport.Battery(
                    battery: 1, cellsMillivolts: cells, temperaturesDecicelsius: [215], flags: "03", ageSeconds: 0.2, fault: nil)],
                bus: StatusReport.Bus(device: "/dev/ttyUSB0", isOpen: true, sentences: 50, bad: 0, repeats: 0, foreign: 0))
            try StatusFile.write(report, to: path)
        }
    }

    /// The real binary's `export`, its stderr in a file.
    final class Exporter {
        let process = Process()
        let stderrPath: String

        init(port: Int, statusPath: String, folder: URL) throws {
            stderrPath = folder.appendingPathComponent("export.log").path
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.executableURL = Self.executable
            process.arguments = [
                "export", "--mqtt", "127.0.0.1", "--port", String(port), "--status", statusPath, "--topic-prefix", "bank/test",
            ]
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "JOURNAL_STREAM")
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        static var executable: URL {
            let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for folder in [bundle, bundle.deletingLastPathComponent()] {
                let url = folder.appendingPathComponent("smallbmsd")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
            return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/smallbmsd")
        }

        /// Sends `signal` and waits (10 s at most) for the exit status.
        func stop(_ signal: Int32 = SIGTERM) -> Int32? {
            kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            return process.isRunning ? nil : process.terminationStatus
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    private static let topics = ["homeassistant/#", "bank/test/#"]

    /// Whether `condition` came true within 5 s.
    private static func waitUntil(_ condition: @autoclosure () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    @Test func discoveryAndStates_followTheStatusFile_andComeBackAfterTheBrokerRestarts() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let status = StatusWriter(folder: broker.folder)
        try status.write()
        let exporter = try Exporter(port: broker.port, statusPath: status.path, folder: broker.folder)

        // Retained discovery and state, as Home Assistant sees them when it subscribes.
        let first = try broker.subscribe(Self.topics)
        let missing = first.waitFor([
            "bank/test/availability online",
            "bank/test/battery/1/cell/2/volts 3.310",
            "bank/test/battery/1/temperature/1/celsius 21.5",
            "bank/test/output/load ON",
            "bank/test/output/prealarm OFF",
            "bank/test/fault OFF",
        ], timeout: 10)
        #expect(missing.isEmpty, "missing \(missing)\nreceived \(first.lines)\n\(exporter.log)")
        let config = try #require(first.last("homeassistant/sensor/bank_test/b1_c2_volts/config"), "\(first.lines)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])
        #expect(fields["state_topic"] as? String == "bank/test/battery/1/cell/2/volts")
        #expect(fields["availability_topic"] as? String == "bank/test/availability")
        #expect(first.lines.filter { $0.hasPrefix("homeassistant/sensor/bank_test/") }.count == 5)
        #expect(first.last("homeassistant/binary_sensor/bank_test/load/config") != nil)

        // A change in the file reaches the broker within the exporter's poll (1 s).
        status.cells[1] = 3200
        status.load = .off
        try status.write()
        let changed = first.waitFor(["bank/test/battery/1/cell/2/volts 3.200", "bank/test/output/load OFF"], timeout: 5)
        #expect(changed.isEmpty, "missing \(changed)\n\(exporter.log)")
        first.stop()

        // The broker goes away (and forgets every retained message); the bank changes meanwhile.
        broker.stop()
        status.cells[1] = 3150
        try status.write()
        Thread.sleep(forTimeInterval: 1.5)
        #expect(exporter.process.isRunning, "\(exporter.log)")
        try broker.start()
        try status.write()
        let again = try broker.subscribe(Self.topics)
        let republished = again.waitFor([
            "bank/test/availability online",
            "bank/test/battery/1/cell/2/volts 3.150",
            "bank/test/output/load OFF",
        ], timeout: 15)
        #expect(republished.isEmpty, "missing \(republished)\nreceived \(again.lines)\n\(exporter.log)")
        #expect(again.last("homeassistant/sensor/bank_test/b1_c2_volts/config") == config)
        #expect(exporter.log.components(separatedBy: "lost the MQTT broker").count - 1 == 1, "\(exporter.log)")
        #expect(exporter.log.contains("is back: republishing discovery and states"), "\(exporter.log)")

        // SIGTERM: offline, then a clean exit.
        #expect(exporter.stop() == 0, "\(exporter.log)")
        #expect(again.waitFor(["bank/test/availability offline"], timeout: 5).isEmpty, "\(again.lines)")
    }

    @Test func availability_goesOfflineWhenTheDaemonStops_andTheWillSaysSoWhenTheExporterDies() throws {
        let broker = try MosquittoBroker()
        try broker.start()
        let status = StatusWriter(folder: broker.folder)
        try status.write()
        let exporter = try Exporter(port: broker.port, statusPath: status.path, folder: broker.folder)
        let subscriber = try broker.subscribe(["bank/test/availability", "bank/test/output/load"])
        #expect(subscriber.waitFor(["bank/test/availability online"], timeout: 10).isEmpty, "\(exporter.log)")

        // The daemon's last status file: every output OFF, and the bank unavailable.
        status.stopped = true
        try status.write()
        #expect(subscriber.waitFor(["bank/test/availability offline", "bank/test/output/load OFF"], timeout: 5).isEmpty,
                "\(subscriber.lines)\n\(exporter.log)")
        #expect(exporter.log.contains("smallbmsd has stopped"), "\(exporter.log)")

        // Running again, then the exporter killed outright: the broker publishes its will.
        status.stopped = false
        try status.write()
        #expect(subscriber.waitFor(["bank/test/output/load ON"], timeout: 5).isEmpty, "\(subscriber.lines)")
        // (Not inside #expect: the macro would evaluate the autoclosure's argument once.)
        let backOnline = Self.waitUntil(subscriber.last("bank/test/availability") == "online")
        #expect(backOnline, "\(subscriber.lines)")
        _ = exporter.stop(SIGKILL)
        let willSent = Self.waitUntil(subscriber.last("bank/test/availability") == "offline")
        #expect(willSent, "\(subscriber.lines)\n\(broker.log)")
    }

    @Test func aBrokerThatIsNotThere_isSaidOnce_andRetried() throws {
        let broker = try MosquittoBroker()
        let status = StatusWriter(folder: broker.folder)
        try status.write()
        let exporter = try Exporter(port: broker.port, statusPath: status.path, folder: broker.folder)
        Thread.sleep(forTimeInterval: 3.5)  // attempts at 0, 1 and 3 s
        #expect(exporter.process.isRunning)
        let said = exporter.log.components(separatedBy: "MQTT broker 127.0.0.1:\(broker.port)").count - 1
        // "exporting ... to the MQTT broker" once, and the failure once.
        #expect(said == 2, "\(exporter.log)")
        try broker.start()
        let subscriber = try broker.subscribe(["bank/test/availability"])
        #expect(subscriber.waitFor(["bank/test/availability online"], timeout: 10).isEmpty, "\(exporter.log)")
        #expect(exporter.stop() == 0)
    }

    @Test func aBrokerThatTakesTheConnectionButNeverAnswers_isGivenUpAfterTenSeconds_withoutLeakingSockets() throws {
        // A listening socket nobody accepts from: the kernel completes the handshake, no CONNACK ever comes.
        let broker = try MosquittoBroker()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(broker.port).bigEndian
        let listening = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        } && listen(listener, 16) == 0
        try #require(listening, "cannot listen on 127.0.0.1:\(broker.port): errno \(errno)")
        let status = StatusWriter(folder: broker.folder)
        try status.write()
        let exporter = try Exporter(port: broker.port, statusPath: status.path, folder: broker.folder)
        Thread.sleep(forTimeInterval: 3)
        let descriptorsBefore = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(exporter.process.processIdentifier)/fd").count
        Thread.sleep(forTimeInterval: 11)  // the 10 s limit, then a new attempt
        let descriptorsAfter = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(exporter.process.processIdentifier)/fd").count
        #expect(exporter.log.contains("no answer from the broker within 10 s"), "\(exporter.log)")
        #expect(descriptorsAfter <= descriptorsBefore, "\(descriptorsBefore) descriptors, then \(descriptorsAfter)")
        #expect(exporter.stop() == 0, "\(exporter.log)")
    }
}
