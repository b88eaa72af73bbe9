import Config
import EdgeIO

extension Daemon {
    /// The sources a configuration names, in the order they start: the M8 bus adapter, then the
    /// VE.Direct monitor when `[vedirect]` is set. (The remote input joins when its line is held.)
    public static func sources(for configuration: Configuration) -> [any ReadingSource] {
        var sources: [any ReadingSource] = [M8AdapterSource(bus: configuration.bus)]
        if let monitor = configuration.vedirect { sources.append(VEDirectSource(monitor: monitor)) }
        return sources
    }

    /// The sinks every daemon tells: the journal, systemd's status line and, unless
    /// `options.writesStatus` is off, the status file; the Prometheus textfile when `[metrics]`
    /// is set; the flight recorder and the history when their tables enable them (they do by
    /// default); then `extra` (the demo's view, say).
    public static func sinks(
        for configuration: Configuration, options: Options, log: any EventLog, extra: [any DecisionSink] = []
    ) -> [any DecisionSink] {
        var sinks: [any DecisionSink] = [JournalSink(log: log), SystemdStatusSink()]
        if options.writesStatus { sinks.append(StatusFileSink(path: configuration.statusPath, log: log)) }
        if let metrics = configuration.metrics { sinks.append(PrometheusTextfileSink(path: metrics.textfile, log: log)) }
        // Issue 15: what happened and when.
        if configuration.recorder.enabled { sinks.append(FlightRecorderSink(configuration: configuration.recorder, log: log)) }
        if configuration.history.enabled { sinks.append(HistorySink(configuration: configuration.history, log: log)) }
        return sinks + extra
    }

    /// The daemon as `smallbmsd run` starts it: the configuration's sources and the standard sinks.
    public convenience init(configuration: Configuration, options: Options, log: any EventLog, extraSinks: [any DecisionSink] = []) {
        self.init(
            configuration: configuration, options: options, log: log,
            sources: Daemon.sources(for: configuration),
            sinks: Daemon.sinks(for: configuration, options: options, log: log, extra: extraSinks))
    }
}
