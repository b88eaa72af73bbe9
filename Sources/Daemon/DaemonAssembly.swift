import Config
import EdgeIO

extension Daemon {
    /// The sources a configuration names, in the order they start: the M8 bus adapter (unless
    /// the file has `[[battery]]` tables and no `[bus]`), the VE.Direct monitor when `[vedirect]`
    /// is set (on its cable), then each serial `[[battery]]`'s BMS, then one source for every
    /// Bluetooth device (`victron-ble` batteries, `[vedirect]` over Bluetooth). (The remote input
    /// joins when its line is held.)
    public static func sources(for configuration: Configuration) -> [any ReadingSource] {
        var sources: [any ReadingSource] = []
        if configuration.hasBusAdapter { sources.append(M8AdapterSource(bus: configuration.bus)) }
        if let monitor = configuration.vedirect, monitor.bluetooth == nil { sources.append(VEDirectSource(monitor: monitor)) }
        var bluetooth: [VictronBLEBattery] = []
        for (offset, battery) in configuration.batteries.enumerated() {
            switch battery.source {
            case .jbd, .jk, .daly:
                guard let serial = battery.serial else { continue }
                sources.append(SerialBMSSource(battery: battery, serial: serial, table: offset + 1))
            case .victronBLE:
                guard let link = battery.bluetooth, let key = link.key else { continue }
                bluetooth.append(VictronBLEBattery(battery: battery.number, address: link.address, key: key, keyFile: link.keyFile))
            }
        }
        let monitor = configuration.vedirect?.bluetooth.flatMap { link in
            link.key.map { VictronBLEMonitor(address: link.address, key: $0, keyFile: link.keyFile) }
        }
        // Every Bluetooth device shares one source: one D-Bus connection, one discovery.
        if !bluetooth.isEmpty || monitor != nil {
            sources.append(VictronBLESource(batteries: bluetooth, monitor: monitor))
        }
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
