import CSQLite
import EdgeIO

/// A value in or out of SQLite.
public enum SQLValue: Sendable, Hashable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null

    /// The value as an integer, when it is one.
    public var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
    /// The value as a real number (integers convert).
    public var real: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }
    /// The value as text, when it is text.
    public var text: String? { if case .text(let value) = self { value } else { nil } }
}

/// The one Swift file that calls SQLite: a connection, statements with bound values, rows out.
/// Everything else of the history speaks SQL through it (``HistoryStore``).
///
/// Opened in WAL mode with `synchronous = NORMAL`: a commit is an append to the log, and a
/// SIGKILL or a power cut loses at most the last commits, never the file's consistency.
/// Not thread-safe: one owner (the history sink's queue, or the `history` command).
public final class HistoryDatabase {
    private var handle: OpaquePointer?
    /// The database file.
    public let path: String

    /// Opens (creating when `readOnly` is false) the database at `path`.
    /// Errors name the file and what to check.
    public init(path: String, readOnly: Bool = false) throws(HardwareError) {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags | SQLITE_OPEN_NOMUTEX, nil)
        handle = opened
        guard code == SQLITE_OK else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(opened)
            handle = nil
            throw HardwareError("cannot open the history database \(path): \(message); check [history] path and that the directory exists and is writable by the daemon's user")
        }
        sqlite3_busy_timeout(opened, 2000)
        if !readOnly {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
    }

    deinit { sqlite3_close(handle) }

    /// Runs one statement with `values` bound to its `?` in order; returns its rows.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws(HardwareError) -> [[SQLValue]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw failure("prepare")
        }
        defer { sqlite3_finalize(statement) }
        // SQLITE_TRANSIENT: SQLite copies the bytes before the Swift string goes away.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 = switch value {
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .real(let number): sqlite3_bind_double(statement, index, number)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, transient)
            case .null: sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else { throw failure("bind a value for") }
        }
        var rows: [[SQLValue]] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw failure("write or read") }
            var row: [SQLValue] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_NULL: row.append(.null)
                default:
                    row.append(sqlite3_column_text(statement, column).map { .text(String(cString: $0)) } ?? .null)
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction(_ body: () throws(HardwareError) -> Void) throws(HardwareError) {
        try execute("BEGIN IMMEDIATE")
        // Explicit: Swift 6.0 infers `any Error` for an untyped do's catch.
        do throws(HardwareError) {
            try body()
            try execute("COMMIT")
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    private func failure(_ step: String) -> HardwareError {
        let message = String(cString: sqlite3_errmsg(handle))
        return HardwareError("cannot \(step) the history database \(path): \(message); check free space (df) and the file's permissions")
    }
}
