extension Configuration {
    /// The tables whose changes a reload cannot apply (they name devices and lines held open),
    /// as the journal names them: `[bus]`, `[gpio]`. Thresholds and timings apply at once.
    public func tablesNeedingRestart(comparedTo running: Configuration) -> [String] {
        var tables: [String] = []
        if bus != running.bus { tables.append("[bus]") }
        if gpio != running.gpio { tables.append("[gpio]") }
        if remote != running.remote { tables.append("[remote]") }
        if statusPath != running.statusPath { tables.append("[status]") }
        if metrics != running.metrics { tables.append("[metrics]") }
        if vedirect != running.vedirect { tables.append("[vedirect]") }
        if recorder != running.recorder { tables.append("[recorder]") }
        if history != running.history { tables.append("[history]") }
        return tables
    }

    /// The bank and where it is read, for the daemon's first journal line:
    /// `2 × 4-cell batteries on /dev/ttyUSB0 at 115200 baud, GPIO chip gpiochip0`.
    public var startupSummary: String {
        "\(settings.batteryCount) × \(settings.cellsPerBattery)-cell batteries on \(bus.device) at \(bus.baud) baud, GPIO chip \(gpio.chip)"
    }
}
