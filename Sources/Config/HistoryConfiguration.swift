/// The history database (`[history]`): output changes, daily cell extremes, time in each output
/// state and the daemon's runs, in SQLite.
public struct HistoryConfiguration: Sendable, Equatable {
    /// Keep a history at all (`enabled`).
    public var enabled: Bool
    /// The database file (`path`).
    public var path: String
    /// How often the day's extremes and the time in each state are written (`flush_s`); output
    /// changes and the daemon's start and stop are written at once.
    public var flushInterval: Duration

    /// The database when `[history] path` is not given (systemd's StateDirectory).
    public static let defaultPath = "/var/lib/smallbmsd/history.db"

    /// The history of an empty file: on, at the default path, written every 300 s.
    public init(enabled: Bool = true, path: String = HistoryConfiguration.defaultPath, flushInterval: Duration = .seconds(300)) {
        self.enabled = enabled
        self.path = path
        self.flushInterval = flushInterval
    }
}
