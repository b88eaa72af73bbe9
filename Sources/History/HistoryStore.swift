import EdgeIO

/// The history's tables and what is written to and read from them, in SQL through
/// ``HistoryDatabase``. Times are seconds since the Unix epoch; days are UTC (`2026-12-02`).
///
/// - `output_changes(time, output, state, rule, battery, reason)`
/// - `daily_extremes(day, battery, min_cell_mv, max_cell_mv, min_temp_dc, max_temp_dc)`
/// - `state_time(day, output, state, seconds)`
/// - `runs(id, started, last_seen, stopped, exit_cause)`
public final class HistoryStore {
    /// The connection (for `PRAGMA integrity_check` and the like).
    public let database: HistoryDatabase
    /// The run this process records, once ``recordStart(at:)`` made it.
    public private(set) var runID: Int64?

    /// The cause written for a run found unfinished at the next start.
    public static let uncleanCause = "unclean: killed, crashed or power lost (no stop was recorded)"

    /// Opens the database at `path` and creates its tables if they are missing.
    public init(path: String, readOnly: Bool = false) throws(HardwareError) {
        database = try HistoryDatabase(path: path, readOnly: readOnly)
        if !readOnly {
            for sql in [
                "CREATE TABLE IF NOT EXISTS output_changes(time REAL NOT NULL, output TEXT NOT NULL, state TEXT NOT NULL, rule TEXT NOT NULL, battery INTEGER, reason TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS output_changes_by_time ON output_changes(time)",
                "CREATE TABLE IF NOT EXISTS daily_extremes(day TEXT NOT NULL, battery INTEGER NOT NULL, min_cell_mv INTEGER NOT NULL, max_cell_mv INTEGER NOT NULL, min_temp_dc INTEGER, max_temp_dc INTEGER, PRIMARY KEY(day, battery))",
                "CREATE TABLE IF NOT EXISTS state_time(day TEXT NOT NULL, output TEXT NOT NULL, state TEXT NOT NULL, seconds REAL NOT NULL, PRIMARY KEY(day, output, state))",
                "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, started REAL NOT NULL, last_seen REAL NOT NULL, stopped REAL, exit_cause TEXT)",
            ] {
                try database.execute(sql)
            }
        }
    }

    /// A new run starting at `time`; a run left unfinished (SIGKILL, power cut) is closed first,
    /// at its last sign of life, with ``uncleanCause``.
    public func recordStart(at time: Double) throws(HardwareError) {
        try database.transaction { () throws(HardwareError) in
            try database.execute(
                "UPDATE runs SET stopped = last_seen, exit_cause = ? WHERE stopped IS NULL", [.text(Self.uncleanCause)])
            let rows = try database.execute(
                "INSERT INTO runs(started, last_seen) VALUES(?, ?) RETURNING id", [.real(time), .real(time)])
            runID = rows.first?.first?.integer
        }
    }

    /// Output changes, one transaction.
    public func record(_ changes: [RecordedChange]) throws(HardwareError) {
        try database.transaction { () throws(HardwareError) in
            for change in changes {
                try database.execute(
                    "INSERT INTO output_changes VALUES(?, ?, ?, ?, ?, ?)",
                    [.real(change.time), .text(change.output), .text(change.state), .text(change.rule),
                     change.battery.map { .integer(Int64($0)) } ?? .null, .text(change.reason)])
            }
            try touch(at: changes.last?.time)
        }
    }

    /// The day's extremes (widened, never narrowed) and the time in each state (added), one transaction.
    public func flush(extremes: [DailyExtremes], stateTimes: [StateTime], at time: Double) throws(HardwareError) {
        try database.transaction { () throws(HardwareError) in
            for day in extremes {
                try database.execute("""
                    INSERT INTO daily_extremes VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(day, battery) DO UPDATE SET
                      min_cell_mv = min(min_cell_mv, excluded.min_cell_mv),
                      max_cell_mv = max(max_cell_mv, excluded.max_cell_mv),
                      min_temp_dc = coalesce(min(min_temp_dc, excluded.min_temp_dc), min_temp_dc, excluded.min_temp_dc),
                      max_temp_dc = coalesce(max(max_temp_dc, excluded.max_temp_dc), max_temp_dc, excluded.max_temp_dc)
                    """,
                    [.text(day.day), .integer(Int64(day.battery)), .integer(Int64(day.minCellMillivolts)),
                     .integer(Int64(day.maxCellMillivolts)), day.minDecicelsius.map { .integer(Int64($0)) } ?? .null,
                     day.maxDecicelsius.map { .integer(Int64($0)) } ?? .null])
            }
            for entry in stateTimes {
                try database.execute(
                    "INSERT INTO state_time VALUES(?, ?, ?, ?) ON CONFLICT(day, output, state) DO UPDATE SET seconds = seconds + excluded.seconds",
                    [.text(entry.day), .text(entry.output), .text(entry.state), .real(entry.seconds)])
            }
            try touch(at: time)
        }
    }

    /// This run's end, with its cause.
    public func recordStop(at time: Double, cause: String) throws(HardwareError) {
        guard let runID else { return }
        try database.execute(
            "UPDATE runs SET stopped = ?, last_seen = ?, exit_cause = ? WHERE id = ?",
            [.real(time), .real(time), .text(cause), .integer(runID)])
    }

    private func touch(at time: Double?) throws(HardwareError) {
        guard let runID, let time else { return }
        try database.execute("UPDATE runs SET last_seen = ? WHERE id = ?", [.real(time), .integer(runID)])
    }

    // MARK: - Reading, for `smallbmsd history`

    /// Output changes from `since` on, oldest first.
    public func changes(since: Double) throws(HardwareError) -> [RecordedChange] {
        try database.execute(
            "SELECT time, output, state, rule, battery, reason FROM output_changes WHERE time >= ? ORDER BY time", [.real(since)]
        ).map { row in
            RecordedChange(
                time: row[0].real ?? 0, output: row[1].text ?? "", state: row[2].text ?? "", rule: row[3].text ?? "",
                battery: row[4].integer.map { Int($0) }, reason: row[5].text ?? "")
        }
    }

    /// Daily extremes from the day `sinceDay` (`2026-12-02`) on.
    public func extremes(sinceDay: String) throws(HardwareError) -> [DailyExtremes] {
        try database.execute(
            "SELECT day, battery, min_cell_mv, max_cell_mv, min_temp_dc, max_temp_dc FROM daily_extremes WHERE day >= ? ORDER BY day, battery",
            [.text(sinceDay)]
        ).map { row in
            DailyExtremes(
                day: row[0].text ?? "", battery: Int(row[1].integer ?? 0), minCellMillivolts: Int(row[2].integer ?? 0),
                maxCellMillivolts: Int(row[3].integer ?? 0), minDecicelsius: row[4].integer.map { Int($0) },
                maxDecicelsius: row[5].integer.map { Int($0) })
        }
    }

    /// Time in each state from the day `sinceDay` on.
    public func stateTimes(sinceDay: String) throws(HardwareError) -> [StateTime] {
        try database.execute(
            "SELECT day, output, state, seconds FROM state_time WHERE day >= ? ORDER BY day, output, state", [.text(sinceDay)]
        ).map { row in
            StateTime(day: row[0].text ?? "", output: row[1].text ?? "", state: row[2].text ?? "", seconds: row[3].real ?? 0)
        }
    }

    /// Runs that were going on at or after `since`.
    public func runs(since: Double) throws(HardwareError) -> [DaemonRun] {
        try database.execute(
            "SELECT id, started, last_seen, stopped, exit_cause FROM runs WHERE coalesce(stopped, last_seen) >= ? ORDER BY id",
            [.real(since)]
        ).map { row in
            DaemonRun(
                id: row[0].integer ?? 0, started: row[1].real ?? 0, lastSeen: row[2].real ?? 0, stopped: row[3].real,
                exitCause: row[4].text)
        }
    }

    /// `PRAGMA integrity_check`: `ok`, or what is damaged.
    public func integrityCheck() throws(HardwareError) -> String {
        try database.execute("PRAGMA integrity_check").compactMap { $0.first?.text }.joined(separator: "; ")
    }
}
