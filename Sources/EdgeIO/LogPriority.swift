/// How important an entry is, mapped to the syslog levels journald filters on (`journalctl -p`).
public enum LogPriority: Sendable, Hashable, CaseIterable {
    /// Something failed: the daemon cannot do part of its job (`LOG_ERR`, 3).
    case error
    /// Something is wrong but handled, e.g. a fault that floats the outputs (`LOG_WARNING`, 4).
    case warning
    /// A normal but significant event, e.g. an output change (`LOG_NOTICE`, 5).
    case notice
    /// Routine information, e.g. start-up settings (`LOG_INFO`, 6).
    case info
    /// Detail for troubleshooting (`LOG_DEBUG`, 7).
    case debug

    /// The syslog level, as journald's `PRIORITY=` field wants it.
    public var syslogLevel: Int {
        switch self {
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug: 7
        }
    }

    /// The word on a stderr line: `error`, `warning`, `notice`, `info`, `debug`.
    public var label: String {
        switch self {
        case .error: "error"
        case .warning: "warning"
        case .notice: "notice"
        case .info: "info"
        case .debug: "debug"
        }
    }
}

