import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `[metrics] textfile`: the real `smallbmsd run` writes it, and Prometheus' own text parser
/// (Python's prometheus_client, Debian's python3-prometheus-client) reads it.
@Suite("smallbmsd run writes a Prometheus textfile")
struct PrometheusTextfileTests {
    /// Debian's interpreter, where python3-prometheus-client installs (a pyenv `python3` on the
    /// PATH would not have it).
    static let python = "/usr/bin/python3"

    /// Every sample in the file as `name{label="value",...} value` lines, sorted labels, as the
    /// parser understood them; records an issue naming the package when the parser is missing.
    static func parsed(_ path: String) throws -> [String: Double]? {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    samples["%s{%s}" % (s.name, labels) if labels else s.name] = s.value
            print(json.dumps(samples))
            """
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("\(python) is missing: install Debian's python3 and python3-prometheus-client (scripts/install-deps.sh)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if problem.contains("No module named 'prometheus_client'") {
            Issue.record("Python's prometheus_client is missing: apt-get install python3-prometheus-client (scripts/install-deps.sh)")
            return nil
        }
        guard process.terminationStatus == 0 else {
            Issue.record("prometheus_client refused \(path): \(problem)\n\((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")")
            return nil
        }
        return try JSONSerialization.jsonObject(with: data) as? [String: Double]
    }

    @Test func textfile_parsedByPrometheusClient_showsCellsOutputsAndCounters_andItsLastFileSaysStopped() throws {
        let daemon = try DaemonHarness()
        let textfile = daemon.folder.appendingPathComponent("smallbmsd.prom").path
        try daemon.writeConfig(thresholds: "", extra: "[metrics]\ntextfile = \"\(textfile)\"\n")
        daemon.setCells([3312, 3310, 3308, 3305])
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil, "\(daemon.standardError)")

        // The next refresh (every 5 s) writes LOAD on.
        var samples: [String: Double] = [:]
        let deadline = Date().addingTimeInterval(8)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: textfile, encoding: .utf8),
               text.contains("smallbmsd_output_on{output=\"load\"} 1") {
                samples = try #require(try Self.parsed(textfile))
                break
            }
            usleep(100_000)
        }
        #expect(samples["smallbmsd_output_on{output=\"load\"}"] == 1, "\(samples)\n\(daemon.standardError)")
        #expect(samples["smallbmsd_cell_volts{battery=\"1\",cell=\"1\"}"] == 3.312)
        #expect(samples["smallbmsd_cell_volts{battery=\"1\",cell=\"4\"}"] == 3.305)
        #expect(samples["smallbmsd_temperature_celsius{battery=\"1\",sensor=\"1\"}"] == 25)
        #expect(samples["smallbmsd_running"] == 1)
        #expect((samples["smallbmsd_source_messages_total{result=\"good\",source=\"m8_bus\"}"] ?? 0) > 0, "\(samples)")
        #expect(samples["smallbmsd_source_messages_total{result=\"bad\",source=\"m8_bus\"}"] == 0)
        #expect(samples["smallbmsd_fault"] == 0)

        // Readable by node_exporter's user, and no temporary file left beside it.
        let attributes = try FileManager.default.attributesOfItem(atPath: textfile)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o644)
        #expect(!FileManager.default.fileExists(atPath: textfile + ".tmp"))

        #expect(daemon.stop() == 0)
        let last = try #require(try Self.parsed(textfile))
        #expect(last["smallbmsd_running"] == 0)
        #expect(last["smallbmsd_output_on{output=\"load\"}"] == 0)
        #expect(last["smallbmsd_output_on{output=\"charger\"}"] == 0)
    }

    @Test func anUnwritableTextfile_isSaidOnce_andProtectionGoesOn() throws {
        let daemon = try DaemonHarness()
        let textfile = daemon.folder.appendingPathComponent("missing-folder/smallbmsd.prom").path
        try daemon.writeConfig(thresholds: "", extra: "[metrics]\ntextfile = \"\(textfile)\"\n")
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil, "\(daemon.standardError)")
        Thread.sleep(forTimeInterval: 11)  // two more refreshes fail the same way
        let said = daemon.standardError.components(separatedBy: "cannot write the Prometheus textfile").count - 1
        #expect(said == 1, "\(daemon.standardError)")
        #expect(daemon.standardError.contains("does not exist"))
        #expect(daemon.status()?.state("load") == "on")
        #expect(daemon.stop() == 0)
    }
}
