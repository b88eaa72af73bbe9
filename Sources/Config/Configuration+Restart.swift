extension Configuration {
    /// The tables whose changes a reload cannot apply (they name devices and lines held open),
    /// as the journal names them: `[bus]`, `[gpio]`. Thresholds and timings apply at once.
    public func tablesNeedingRestart(comparedTo running: Configuration) -> [String] {
        var tables: [String] = []
        if bus != running.bus || hasBusAdapter != running.hasBusAdapter { tables.append("[bus]") }
        if gpio != running.gpio { tables.append("[gpio]") }
        if remote != running.remote { tables.append("[remote]") }
        if statusPath != running.statusPath { tables.append("[status]") }
        if metrics != running.metrics { tables.append("[metrics]") }
        if vedirect != running.vedirect { tables.append("[vedirect]") }
        if batteries != running.batteries { tables.append("[[battery]]") }
        if recorder != running.recorder { tables.append("[recorder]") }
        if history != running.history { tables.append("[history]") }
        return tables
    }

    /// The bank and where it is read, for the daemon's first journal line:
    /// `2 × 4-cell batteries on /dev/ttyUSB0 at 115200 baud, GPIO chip gpiochip0`.
    /// Each `[[battery]]` adds `battery 3: 16-cell jbd on /dev/serial/by-id/...`.
    public var startupSummary: String {
        var parts: [String] = []
        if hasBusAdapter {
            parts.append("\(busBatteryCount) × \(settings.cellsPerBattery)-cell batteries on \(bus.device) at \(bus.baud) baud")
        }
        for battery in batteries {
            parts.append("battery \(battery.number): \(battery.cells)-cell \(battery.source.rawValue)\(battery.serial.map { " on \($0.device)" } ?? "")\(battery.bluetooth.map { " at \($0.address)" } ?? "")")
        }
        if let link = vedirect?.bluetooth { parts.append("state of charge over Bluetooth from \(link.address)") }
        return (parts + ["GPIO chip \(gpio.chip)"]).joined(separator: ", ")
    }
}
