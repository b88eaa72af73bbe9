import ArgumentParser
import BMSCore
import Config
import Foundation
import Status

/// `smallbmsd status`: what the running daemon sees and decided, from its status file.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the running daemon sees and decided (read from its status file).",
        discussion: """
            Exit status: 0 the daemon is running and its status is fresh; 1 the status file is older
            than 15 s (a hung daemon: the watchdog will restart it); 3 the daemon is not running.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The config file naming the status path (default: \(defaultConfigPath) if it exists).", valueName: "path"))
    var config: String?

    @Flag(help: "Print the status file as it is (JSON).")
    var json = false

    func run() throws {
        let path = try statusPath()
        let report: StatusReport
        let modified: Double
        do {
            (report, modified) = try StatusFile.read(path: path)
        } catch {
            printError("\(error)\n(start it with systemctl start smallbmsd; journalctl -u smallbmsd tells why it stopped)")
            throw ExitCode(3)
        }
        if json, let raw = FileManager.default.contents(atPath: path) {
            FileHandle.standardOutput.write(raw)
            if raw.last != UInt8(ascii: "\n") { print() }
        } else {
            print(StatusSummary.text(report))
        }
        let age = Date().timeIntervalSince1970 - modified
        if !isAlive(pid: report.pid) || report.outputs.load.reason?.hasPrefix("daemon stopped") == true {
            printError("smallbmsd is not running: pid \(report.pid) is gone; the status above is its last, written \(Int(age)) s ago")
            throw ExitCode(3)
        }
        if age > 15 {
            printError("the status file is \(Int(age)) s old (it is refreshed every 5 s): the daemon may be hung; journalctl -u smallbmsd")
            throw ExitCode(1)
        }
    }

    private func statusPath() throws -> String {
        let configPath = config ?? (FileManager.default.fileExists(atPath: defaultConfigPath) ? defaultConfigPath : nil)
        guard let configPath else { return Configuration().statusPath }
        do {
            return try ConfigurationLoader.load(path: configPath).statusPath
        } catch {
            printError("\(error)\n(the status path comes from [status] path in this file)")
            throw ExitCode(1)
        }
    }

    private func isAlive(pid: Int) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }
}

/// The readable form of a status report.
enum StatusSummary {
    static func text(_ report: StatusReport) -> String {
        var lines = ["smallbmsd \(report.version), pid \(report.pid), up \(duration(report.uptimeSeconds)), updated \(report.updated)"]
        lines.append("remote \(report.remote.rawValue.uppercased())\(report.started ? "" : ", waiting for every battery to report")")
        if let fault = report.fault { lines.append("FAULT: \(fault)") }
        for output in Output.allCases {
            let status = report.outputs[output]
            let name = output.displayName.padding(toLength: 13, withPad: " ", startingAt: 0)
            let state = status.state.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(state) \(status.reason.map { "  \($0)" } ?? "")\(status.since.map { "  (since \($0))" } ?? "")")
        }
        for battery in report.batteries {
            var line = "battery \(battery.battery): "
            if let low = battery.cellsMillivolts.min(), let high = battery.cellsMillivolts.max() {
                line += "cells \(voltsText(millivolts: low)) to \(voltsText(millivolts: high))"
            } else {
                line += "no data yet"
            }
            if !battery.temperaturesDecicelsius.isEmpty {
                line += ", " + battery.temperaturesDecicelsius.map { celsiusText(decicelsius: $0) }.joined(separator: " / ")
            }
            if let flags = battery.flags { line += ", flags \(flags)" }
            if let age = battery.ageSeconds { line += ", \(age) s ago" }
            if let fault = battery.fault { line += "  FAULT: \(fault)" }
            lines.append(line)
        }
        if let bus = report.bus {
            lines.append("bus \(bus.device) \(bus.isOpen ? "open" : "CLOSED"): \(bus.sentences) sentences, \(bus.bad) bad, \(bus.repeats) repeats, \(bus.foreign) foreign")
        } else {
            lines.append("no M8 bus adapter")
        }
        for link in report.sources ?? [] {
            lines.append("battery \(link.battery) \(link.source) \(link.device) \(link.isOpen ? "open" : "CLOSED"), \(link.health): "
                + "\(link.polls) polls, \(link.replies) replies, \(link.readings) readings, \(link.bad) bad, "
                + "\(link.timeouts) timeouts, \(link.wrongRegister) wrong register")
        }
        if let monitor = report.monitor {
            let charge = monitor.stateOfChargePercent.map { "SoC \(percentText($0))" } ?? "no SoC yet"
            lines.append("VE.Direct \(monitor.device) \(monitor.isOpen ? "open" : "CLOSED"): \(charge), \(monitor.blocks) blocks, \(monitor.bad) bad")
        }
        if let bluetooth = report.bluetooth {
            let state = bluetooth.discovering ? "discovering" : "NOT discovering"
            lines.append("Bluetooth \(bluetooth.adapter ?? "(no adapter)") \(state)")
            for device in bluetooth.devices {
                let who = device.battery.map { "battery \($0)" } ?? "SoC monitor"
                lines.append(
                    "  \(who) \(device.address) key \(device.key): \(device.advertisements) advertisements, \(device.decrypted) decrypted, "
                        + "\(device.repeats) repeats, \(device.bad) bad, \(device.wrongKey) wrong key")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 120 { return "\(whole) s" }
        if whole < 7200 { return "\(whole / 60) min" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
