import Foundation
import Pipeline
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The flight recorder and the history with the real daemon on a pty: a trip is recorded, the
/// incident replays to the same transition at the same offset, and the history has the run.
@Suite("Flight recorder and history: the real daemon", .serialized)
struct FlightRecorderRoundTripTests {
    /// Runs the real binary; stdout and stderr.
    private func tool(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = DaemonHarness.executable
        process.arguments = arguments
        let folder = FileManager.default.temporaryDirectory
        let outPath = folder.appendingPathComponent("smallbmsd-tool-\(UUID().uuidString).out").path
        let errPath = outPath + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOfFile: outPath, encoding: .utf8), try String(contentsOfFile: errPath, encoding: .utf8))
    }

    @Test func criticalCell_recordedIncident_replaysToTheSameTransitionAtTheSameOffset() throws {
        let daemon = try DaemonHarness(recorder: "window_s = 3\nafter_s = 1")
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil, "\(daemon.standardError)")
        // Longer than the window: the incident starts in mid-stream, not at the daemon's start.
        Thread.sleep(forTimeInterval: 4.5)
        daemon.setCells([2400, 3300, 3300, 3300])
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("load") == "off" } != nil)
        let deadline = Date().addingTimeInterval(8)
        var names: [String] = []
        while names.isEmpty, Date() < deadline {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: daemon.incidentsPath)) ?? []).filter { $0.hasSuffix(".log") }
            usleep(100_000)
        }
        #expect(daemon.stop() == 0)
        #expect(names.count == 1, "\(names) \(daemon.standardError)")
        let name = try #require(names.first)
        let path = daemon.incidentsPath + "/" + name
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let header = try #require(IncidentHeader(parsing: bytes))
        #expect(name.hasSuffix("-\(header.output)-\(header.rule).log"))
        // One decision raised PRE-ALARM and cut LOAD: the first names the file, the other joins it.
        #expect(header.output == "prealarm" && header.state == "on", "\(header)")
        #expect(header.laterTrips.count == 1 && header.laterTrips.first?.contains("load off critical-floor") == true, "\(header)")
        let offset = try #require(Double(header.offsetText))
        // The window is 3 s and the daemon ran longer: the trip lies window_s into the file.
        #expect(abs(offset - 3) < 0.001, "offset \(offset)")
        #expect(daemon.standardError.contains("incident recorded: \(path)"))

        // The file alone: no --config, the thresholds come from its header.
        let replay = try tool(["replay", path, "--json"])
        #expect(replay.status == 0, "\(replay.errors)")
        #expect(replay.errors.contains("settings in effect at the incident"))
        let changes = replay.output.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        let same = changes.first { $0["output"] as? String == header.output && $0["state"] as? String == header.state }
        let replayed = try #require(same, "\(replay.output)")
        let replayedAt = try #require(replayed["t"] as? Double)
        // The replay prints milliseconds; the daemon's trip was an input's instant, the same here.
        #expect(abs(replayedAt - offset) <= 0.002, "replayed at \(replayedAt), recorded at \(offset)")
        let replayedReason = try #require(replayed["reason"] as? String)
        #expect(header.reason.hasSuffix(replayedReason))
        // Before the trip the replay brought LOAD on from the window's readings, as the daemon had
        // it; then the critical cell cut it at the offset the header gives for the later trip.
        #expect(changes.contains { $0["output"] as? String == "load" && $0["state"] as? String == "on" })
        let cutOffset = try #require(header.laterTrips.first?.split(separator: " ").first.flatMap { Double($0) })
        let cut = changes.first { $0["output"] as? String == "load" && $0["state"] as? String == "off" }
        #expect(abs((cut?["t"] as? Double ?? -1) - cutOffset) <= 0.002, "\(replay.output)")

        // By name, through the config's [recorder] directory; and listed.
        let byName = try tool(["replay", name, "--config", daemon.configPath])
        #expect(byName.status == 0 && byName.output.contains("LOAD off"), "\(byName.errors)")
        let listed = try tool(["incidents", "--config", daemon.configPath])
        #expect(listed.status == 0 && listed.output.contains(name) && listed.output.contains("prealarm on"), "\(listed.output)")

        // The history: the run with its exit cause, and the change with its rule and battery.
        let history = try tool(["history", "--config", daemon.configPath, "--json"])
        #expect(history.status == 0, "\(history.errors)")
        let parsed = try JSONSerialization.jsonObject(with: Data(history.output.utf8))
        let object = try #require(parsed as? [String: Any])
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 1 && runs.first?["exit_cause"] as? String == "stop requested by signal", "\(runs)")
        let recorded = try #require(object["changes"] as? [[String: Any]])
        let cutRecorded = recorded.contains { change in
            let what = change["output"] as? String == "load" && change["state"] as? String == "off"
            return what && change["rule"] as? String == "critical-floor" && change["battery"] as? Int == 1
        }
        #expect(cutRecorded, "\(recorded)")
        let days = try #require(object["days"] as? [[String: Any]])
        #expect(days.first?["min_cell_mv"] as? Int == 2400 && days.first?["max_cell_mv"] as? Int == 3300, "\(days)")
    }

    @Test func historyUnwritable_protectionGoesOn_andTheFailureIsSaidOnce() throws {
        let daemon = try DaemonHarness()
        // A directory where the database file should be: SQLite cannot open it.
        try FileManager.default.createDirectory(atPath: daemon.historyPath, withIntermediateDirectories: true)
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil, "\(daemon.standardError)")
        daemon.setCells([2750, 3300, 3300, 3300])
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil)
        Thread.sleep(forTimeInterval: 5.5)
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
        let warnings = daemon.standardError.components(separatedBy: "cannot open the history database").count - 1
        #expect(warnings == 1, "\(daemon.standardError)")
    }
}
