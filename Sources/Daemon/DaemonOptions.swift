extension Daemon {
    /// What the daemon runs with, beyond the config file.
    public struct Options: Sendable {
        /// The config file, re-read on SIGHUP; nil when there is none to re-read (demo).
        public var configPath: String?
        /// Where time comes from.
        public var clock: any DaemonClock = MonotonicClock()
        /// Handle SIGTERM, SIGINT and SIGHUP (off for an embedded run such as the demo's).
        public var handlesSignals = true
        /// Write the status file (a sink the standard set includes).
        public var writesStatus = true
        /// How often the sinks and sources get their refresh (behaviour.md: the status file at least every 5 s).
        public var statusInterval: Duration = .seconds(5)
        /// Test-only fault hook: block the loop forever after this much real time, to prove the
        /// watchdog starves (set from `SMALLBMSD_TEST_HANG_LOOP_AFTER_S`).
        public var hangLoopAfter: Duration?

        public init(configPath: String?) { self.configPath = configPath }
    }
}
