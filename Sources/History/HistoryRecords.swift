/// A battery's lowest and highest cell voltage and temperature on one UTC day.
public struct DailyExtremes: Sendable, Hashable {
    /// `2026-12-02`.
    public var day: String
    /// 1-based.
    public var battery: Int
    public var minCellMillivolts: Int
    public var maxCellMillivolts: Int
    /// Nil when the battery reported no temperature that day.
    public var minDecicelsius: Int?
    public var maxDecicelsius: Int?

    public init(day: String, battery: Int, minCellMillivolts: Int, maxCellMillivolts: Int, minDecicelsius: Int?, maxDecicelsius: Int?) {
        self.day = day
        self.battery = battery
        self.minCellMillivolts = minCellMillivolts
        self.maxCellMillivolts = maxCellMillivolts
        self.minDecicelsius = minDecicelsius
        self.maxDecicelsius = maxDecicelsius
    }
}

/// Time an output spent in one state on one UTC day.
public struct StateTime: Sendable, Hashable {
    public var day: String
    /// `load`, `charger`, `prealarm`.
    public var output: String
    /// `on` or `off`.
    public var state: String
    public var seconds: Double

    public init(day: String, output: String, state: String, seconds: Double) {
        self.day = day
        self.output = output
        self.state = state
        self.seconds = seconds
    }
}

/// One output change as the history keeps it.
public struct RecordedChange: Sendable, Hashable {
    /// Seconds since the Unix epoch.
    public var time: Double
    public var output: String
    public var state: String
    public var rule: String
    public var battery: Int?
    /// The journal's line.
    public var reason: String

    public init(time: Double, output: String, state: String, rule: String, battery: Int?, reason: String) {
        self.time = time
        self.output = output
        self.state = state
        self.rule = rule
        self.battery = battery
        self.reason = reason
    }
}

/// One run of the daemon, from its start to its stop.
public struct DaemonRun: Sendable, Hashable {
    public var id: Int64
    /// Seconds since the Unix epoch.
    public var started: Double
    /// The last time the run wrote anything: where an unclean end is placed.
    public var lastSeen: Double
    /// Nil while running.
    public var stopped: Double?
    /// Why it stopped: `stop requested by signal`, an error, or `unclean: ...` found at the next start.
    public var exitCause: String?
}
