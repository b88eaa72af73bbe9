import BMSCore
import Status

/// The Prometheus text exposition format (version 0.0.4) of a status report, for node_exporter's
/// textfile collector (`[metrics] textfile`).
///
/// Names follow Prometheus' conventions: a `smallbmsd_` prefix, base units in the name
/// (`_volts`, `_celsius`, `_seconds`, `_ratio`), `_total` on counters, and labels for what a
/// dashboard groups by (`battery`, `cell`, `sensor`, `output`, `source`, `result`):
///
/// ```
/// smallbmsd_cell_volts{battery="1",cell="2"} 3.312
/// smallbmsd_output_on{output="load"} 1
/// smallbmsd_source_messages_total{source="m8_bus",result="bad"} 0
/// ```
///
/// A value the daemon does not have (a battery before its first sentence) is left out, never
/// written as 0: a dashboard then shows a gap, not a flat battery.
public enum PrometheusText {
    /// The whole file for `report`. `running` is false for the last file, written on the way out
    /// (every output OFF and released).
    public static func render(_ report: StatusReport, running: Bool) -> String {
        var text = Writer()
        text.family("smallbmsd_info", .gauge, "The daemon's version (always 1).")
        text.sample("smallbmsd_info", [("version", report.version)], "1")
        text.family("smallbmsd_running", .gauge, "1 while the daemon runs; 0 in the file it leaves when it stops.")
        text.sample("smallbmsd_running", [], running ? "1" : "0")
        if let updated = StatusReport.secondsSinceEpoch(timestamp: report.updated) {
            text.family("smallbmsd_last_update_timestamp_seconds", .gauge, "When this file was written (Unix time).")
            text.sample("smallbmsd_last_update_timestamp_seconds", [], String(Int(updated)))
        }
        text.family("smallbmsd_uptime_seconds", .gauge, "Seconds since the daemon started.")
        text.sample("smallbmsd_uptime_seconds", [], number(report.uptimeSeconds))
        text.family("smallbmsd_remote_on", .gauge, "The remote on/off input (rule 1): 1 on, 0 off.")
        text.sample("smallbmsd_remote_on", [], report.remote == .on ? "1" : "0")
        text.family("smallbmsd_started", .gauge, "1 once every configured battery has delivered valid data (rule 2).")
        text.sample("smallbmsd_started", [], report.started ? "1" : "0")
        text.family("smallbmsd_fault", .gauge, "1 while a rule-8 fault (missing or bad data) holds LOAD and CHARGER off.")
        text.sample("smallbmsd_fault", [], report.fault == nil ? "0" : "1")

        text.family("smallbmsd_output_on", .gauge, "Each output's level: 1 on, 0 off.")
        for output in Output.allCases {
            text.sample("smallbmsd_output_on", [("output", output.rawValue)], report.outputs[output].state == .on ? "1" : "0")
        }
        text.family("smallbmsd_output_change_timestamp_seconds", .gauge, "When each output last changed (Unix time).")
        for output in Output.allCases {
            guard let since = report.outputs[output].since.flatMap(StatusReport.secondsSinceEpoch(timestamp:)) else { continue }
            text.sample("smallbmsd_output_change_timestamp_seconds", [("output", output.rawValue)], String(Int(since)))
        }

        text.family("smallbmsd_cell_volts", .gauge, "Each cell's voltage in volts, from the battery's latest valid sentence.")
        for battery in report.batteries {
            for (index, millivolts) in battery.cellsMillivolts.enumerated() {
                text.sample(
                    "smallbmsd_cell_volts", [("battery", String(battery.battery)), ("cell", String(index + 1))],
                    FixedPointText.text(millivolts, decimals: 3))
            }
        }
        text.family("smallbmsd_temperature_celsius", .gauge, "Each battery temperature sensor in degrees Celsius.")
        for battery in report.batteries {
            for (index, decicelsius) in battery.temperaturesDecicelsius.enumerated() {
                text.sample(
                    "smallbmsd_temperature_celsius", [("battery", String(battery.battery)), ("sensor", String(index + 1))],
                    FixedPointText.text(decicelsius, decimals: 1))
            }
        }
        text.family("smallbmsd_battery_data_age_seconds", .gauge, "Seconds since each battery's latest fresh valid sentence.")
        for battery in report.batteries {
            guard let age = battery.ageSeconds else { continue }
            text.sample("smallbmsd_battery_data_age_seconds", [("battery", String(battery.battery))], number(age))
        }
        text.family("smallbmsd_battery_fault", .gauge, "1 while a battery is a rule-8 fault (silent, stale or out of range).")
        for battery in report.batteries {
            text.sample("smallbmsd_battery_fault", [("battery", String(battery.battery))], battery.fault == nil ? "0" : "1")
        }

        text.family("smallbmsd_source_open", .gauge, "1 while a source's port is open.")
        if let bus = report.bus {
            text.sample("smallbmsd_source_open", [("source", "m8_bus"), ("device", bus.device)], bus.isOpen ? "1" : "0")
        }
        // A battery's own BMS (`[[battery]]`): one port each, named by the battery.
        for link in report.sources ?? [] {
            text.sample(
                "smallbmsd_source_open", [("source", link.source), ("battery", String(link.battery)), ("device", link.device)],
                link.isOpen ? "1" : "0")
        }
        if let monitor = report.monitor {
            text.sample("smallbmsd_source_open", [("source", "vedirect"), ("device", monitor.device)], monitor.isOpen ? "1" : "0")
        }
        text.family(
            "smallbmsd_source_messages_total", .counter,
            "Messages each source decoded since the daemon started, by result (M8 sentences, VE.Direct blocks, BMS replies).")
        if let bus = report.bus {
            for (result, count) in [("good", bus.sentences), ("bad", bus.bad), ("repeat", bus.repeats), ("foreign", bus.foreign)] {
                text.sample("smallbmsd_source_messages_total", [("source", "m8_bus"), ("result", result)], String(count))
            }
        }
        for link in report.sources ?? [] {
            let results = [("good", link.replies), ("bad", link.bad), ("timeout", link.timeouts), ("wrong_register", link.wrongRegister)]
            for (result, count) in results {
                text.sample(
                    "smallbmsd_source_messages_total",
                    [("source", link.source), ("battery", String(link.battery)), ("result", result)], String(count))
            }
        }
        if let monitor = report.monitor {
            for (result, count) in [("good", monitor.blocks), ("bad", monitor.bad)] {
                text.sample("smallbmsd_source_messages_total", [("source", "vedirect"), ("result", result)], String(count))
            }
            if let percent = monitor.stateOfChargePercent {
                text.family("smallbmsd_state_of_charge_ratio", .gauge, "The VE.Direct monitor's state of charge, 0 to 1.")
                text.sample("smallbmsd_state_of_charge_ratio", [], number(percent / 100))
            }
        }
        return text.output
    }

    // Shortest text that reads back as the same Double (Swift's description), never `inf` or `nan`
    // here: every input is a finite reading or counter.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    private enum Kind: String {
        case gauge, counter
    }

    /// Builds the text family by family; every family's samples follow its HELP and TYPE lines.
    private struct Writer {
        var output = ""

        mutating func family(_ name: String, _ kind: Kind, _ help: String) {
            output += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            output += name
            if !labels.isEmpty {
                output += "{" + labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
            }
            output += " \(value)\n"
        }

        // The format's escapes: backslash and newline in HELP; also the double quote in label values.
        private func escapeHelp(_ text: String) -> String {
            text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
        }

        private func escapeLabel(_ text: String) -> String {
            escapeHelp(text).replacing("\"", with: "\\\"")
        }
    }
}
