import ArgumentParser
import BMSCore
import Config
import EdgeIO
import Foundation
import History
import Pipeline

/// `smallbmsd history`: what the history database remembers, readably or as JSON.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the history: the daemon's runs, every output change, each day's cell extremes, time in each state.",
        discussion: """
            Read from [history] path (default \(HistoryConfiguration.defaultPath)); times are UTC. The
            day's extremes and the time in each state are written every [history] flush_s, so the last
            minutes may not be in yet. Exit status: 0 printed, 1 the database or config could not be read,
            2 a bad --since.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The config file naming [history] path (default: \(defaultConfigPath) if it exists).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The history database (default: [history] path).", valueName: "path"))
    var database: String?

    @Option(help: ArgumentHelp("Only from this UTC day or time on: 2026-12-01 or 2026-12-01T18:00:00Z.", valueName: "date"))
    var since: String?

    @Flag(help: "One JSON object: {\"runs\": [...], \"changes\": [...], \"days\": [...], \"state_time\": [...]}.")
    var json = false

    func run() throws {
        let path = try database ?? ConfiguredPaths.configuration(named: config, command: "history").history.path
        var start = UTCTime(epochSeconds: Int64(0))
        if let since {
            guard let parsed = UTCTime(parsing: since) else {
                printError("smallbmsd history: --since \(since) is not a date: give a UTC day such as 2026-12-01, or 2026-12-01T18:00:00Z")
                throw ExitCode(2)
            }
            start = parsed
        }
        guard FileManager.default.fileExists(atPath: path) else {
            printError("smallbmsd history: no history database at \(path) (the daemon creates it at its first start; check [history] path)")
            throw ExitCode(1)
        }
        do {
            let store = try HistoryStore(path: path, readOnly: true)
            let seconds = Double(start.epochSeconds)
            let runs = try store.runs(since: seconds)
            let changes = try store.changes(since: seconds)
            let days = try store.extremes(sinceDay: start.dayText)
            let times = try store.stateTimes(sinceDay: start.dayText)
            print(json ? Self.json(runs: runs, changes: changes, days: days, times: times)
                : Self.text(runs: runs, changes: changes, days: days, times: times))
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    private static func iso(_ seconds: Double) -> String { UTCTime(epochSeconds: seconds).isoText }

    static func text(runs: [DaemonRun], changes: [RecordedChange], days: [DailyExtremes], times: [StateTime]) -> String {
        var lines = ["Daemon runs (UTC):"]
        for run in runs {
            let end = run.stopped.map(iso) ?? "running (last written \(iso(run.lastSeen)))"
            lines.append("  \(iso(run.started)) .. \(end)  \(run.exitCause ?? "")")
        }
        lines.append("Output changes:")
        for change in changes {
            let battery = change.battery.map { "  battery \($0)" } ?? ""
            lines.append("  \(iso(change.time))  \(change.reason)  [\(change.rule)\(battery)]")
        }
        lines.append("Cells and temperatures per day:")
        for day in days {
            var line = "  \(day.day)  battery \(day.battery)  cells \(voltsText(millivolts: day.minCellMillivolts)) .. \(voltsText(millivolts: day.maxCellMillivolts))"
            if let low = day.minDecicelsius, let high = day.maxDecicelsius {
                line += "  temperature \(celsiusText(decicelsius: low)) .. \(celsiusText(decicelsius: high))"
            }
            lines.append(line)
        }
        lines.append("Time in each state per day:")
        for time in times {
            lines.append("  \(time.day)  \(time.output) \(time.state)  \(durationText(time.seconds))")
        }
        return lines.joined(separator: "\n")
    }

    /// `3 h 02 min`, `4 min 05 s`, `12 s`.
    static func durationText(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        if hours > 0 { return "\(hours) h \(minutes < 10 ? "0" : "")\(minutes) min" }
        if minutes > 0 { return "\(minutes) min \(rest < 10 ? "0" : "")\(rest) s" }
        return "\(rest) s"
    }

    static func json(runs: [DaemonRun], changes: [RecordedChange], days: [DailyExtremes], times: [StateTime]) -> String {
        func number(_ value: Int?) -> String { value.map(String.init) ?? "null" }
        func text(_ value: String?) -> String { value.map(jsonString) ?? "null" }
        let runObjects = runs.map { run in
            "{\"started\": \(jsonString(iso(run.started))), \"last_seen\": \(jsonString(iso(run.lastSeen))), \"stopped\": \(text(run.stopped.map(iso))), \"exit_cause\": \(text(run.exitCause))}"
        }
        let changeObjects = changes.map { change in
            "{\"time\": \(jsonString(iso(change.time))), \"output\": \(jsonString(change.output)), \"state\": \(jsonString(change.state)), \"rule\": \(jsonString(change.rule)), \"battery\": \(number(change.battery)), \"reason\": \(jsonString(change.reason))}"
        }
        let dayObjects = days.map { day in
            "{\"day\": \(jsonString(day.day)), \"battery\": \(day.battery), \"min_cell_mv\": \(day.minCellMillivolts), \"max_cell_mv\": \(day.maxCellMillivolts), \"min_temp_dc\": \(number(day.minDecicelsius)), \"max_temp_dc\": \(number(day.maxDecicelsius))}"
        }
        let timeObjects = times.map { time in
            "{\"day\": \(jsonString(time.day)), \"output\": \(jsonString(time.output)), \"state\": \(jsonString(time.state)), \"seconds\": \(time.seconds)}"
        }
        return "{\"runs\": [\(runObjects.joined(separator: ", "))], \"changes\": [\(changeObjects.joined(separator: ", "))], "
            + "\"days\": [\(dayObjects.joined(separator: ", "))], \"state_time\": [\(timeObjects.joined(separator: ", "))]}"
    }
}

/// `smallbmsd history-soak PATH` (hidden, for the tests): writes to a history database as fast
/// as it can, as the daemon would, until killed: the SIGKILL test's writer.
///
/// With `--steady-hours H` it instead writes what the history sink writes for a steady bank of
/// `--batteries` batteries over H hours (a reading a second per battery, no output change, a
/// flush every `--flush-s`), without waiting, then prints the bytes this process handed to
/// write(2) and the storage layer (/proc/self/io): the figures of the SD-card note.
struct HistorySoakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history-soak", abstract: "Test only: write history rows until killed.", shouldDisplay: false)

    @Argument var path: String
    @Option var steadyHours: Int?
    @Option var batteries = 4
    @Option var flushS = 300

    func run() throws {
        if let steadyHours {
            try steady(hours: steadyHours)
            return
        }
        let store = try HistoryStore(path: path)
        var time = 1_796_000_000.0
        try store.recordStart(at: time)
        var written = 0
        while true {
            time += 1
            let reason = "LOAD \(written % 2 == 0 ? "off" : "on"): battery 1 cell 2 soak \(written)"
            try store.record([RecordedChange(time: time, output: "load", state: written % 2 == 0 ? "off" : "on", rule: "under-voltage", battery: 1, reason: reason)])
            let days = (1...4).map { battery in
                DailyExtremes(day: UTCTime(epochSeconds: time).dayText, battery: battery, minCellMillivolts: 3000 + written % 300,
                              maxCellMillivolts: 3400 - written % 300, minDecicelsius: 100, maxDecicelsius: 300)
            }
            try store.flush(extremes: days, stateTimes: [StateTime(day: UTCTime(epochSeconds: time).dayText, output: "load", state: "on", seconds: 1)], at: time)
            written += 1
            // Unbuffered: the test waits for this line before it kills.
            if written == 1 { FileHandle.standardOutput.write(Data("writing\n".utf8)) }
        }
    }
}


extension HistorySoakCommand {
    private func steady(hours: Int) throws {
        let before = Self.io()
        let store = try HistoryStore(path: path)
        var accumulator = HistoryAccumulator()
        var levels = OutputLevels.allOff
        levels[.load] = .on
        levels[.charger] = .on
        let startTime = 1_796_000_000.0
        try store.recordStart(at: startTime)
        accumulator.accrue(until: .origin, levels: levels, epochDay: HistoryAccumulator.epochDay(startTime))
        var flushes = 0
        for second in 1...(hours * 3600) {
            let time = startTime + Double(second)
            let day = HistoryAccumulator.epochDay(time)
            for battery in 1...batteries {
                let wobble = second % 7
                accumulator.add(BatteryReading(
                    battery: battery, flags: .normal, cellMillivolts: [3300 + wobble, 3301, 3299, 3300],
                    temperatureDecicelsius: [250 + wobble % 3]), epochDay: day)
            }
            if second % flushS == 0 {
                accumulator.accrue(until: Instant(sinceOrigin: .seconds(second)), levels: levels, epochDay: day)
                let (extremes, stateTimes) = accumulator.drain()
                try store.flush(extremes: extremes, stateTimes: stateTimes, at: time)
                flushes += 1
            }
        }
        let after = Self.io()
        let written = after.wchar - before.wchar
        let storage = after.writeBytes - before.writeBytes
        print("steady bank: \(batteries) batteries, \(hours) h, \(flushes) flushes every \(flushS) s")
        print("write(2) bytes: \(written) total, \(written / Int64(hours)) per hour, \(after.syscw - before.syscw) write calls")
        print("storage-layer bytes (write_bytes): \(storage) total, \(storage / Int64(hours)) per hour")
    }

    /// wchar, syscw and write_bytes of /proc/self/io (zeros where it is missing).
    private static func io() -> (wchar: Int64, syscw: Int64, writeBytes: Int64) {
        let text = (try? String(contentsOfFile: "/proc/self/io", encoding: .utf8)) ?? ""
        var values: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 2 { values[String(parts[0])] = Int64(parts[1].trimmingCharacters(in: .whitespaces)) }
        }
        return (values["wchar"] ?? 0, values["syscw"] ?? 0, values["write_bytes"] ?? 0)
    }
}
