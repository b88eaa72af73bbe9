import BMSCore
import Daemon
import Foundation
import EdgeIO
import Pipeline
import Status

/// What `demo` shows: a live one-screen view on a terminal, one line per transition otherwise.
final class DemoView: DecisionSink, EventLog, @unchecked Sendable {
    // Called only from the daemon's loop thread (sink and log calls alike), so no lock is needed.
    private let scenario: BankSimulator.Scenario
    private let speed: Double
    private let live: Bool
    private var levels = OutputLevels.allOff
    private var transitions: [String] = []
    private var snapshot: ControllerSnapshot?
    private var bus: StatusReport.Bus?
    private var lastTime = Instant.origin

    init(scenario: BankSimulator.Scenario, speed: Double, live: Bool) {
        self.scenario = scenario
        self.speed = speed
        self.live = live
        if !live {
            emit("smallbmsd demo: \(scenario.summary) (\(Int(scenario.duration)) s of bank time at speed \(speed))")
        }
    }

    func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {
        levels = daemon.levels
        refresh(from: daemon)
        for change in changes {
            let line = "\(ReplayFormat.text.line(for: change))"
            transitions.append(line)
            lastTime = change.at
            if !live { emit(line) }
        }
        if live { draw() }
    }

    func noticed(_ notices: [Notice], _ daemon: any DaemonState) {
        refresh(from: daemon)
        if live { draw() }
    }

    func heartbeat(_ daemon: any DaemonState) {
        refresh(from: daemon)
        if live { draw() }
    }

    private func refresh(from daemon: any DaemonState) {
        snapshot = daemon.snapshot()
        bus = daemon.statusReport(stopping: false).bus
    }

    func log(_ priority: LogPriority, _ message: String, fields: [String: String]) {
        // The daemon's journal lines: only what an installer should notice shows in the demo.
        guard priority == .error || message.hasPrefix("fault") else { return }
        let line = "          note: \(message)"
        if live { transitions.append(line) } else { emit(line) }
    }

    /// The closing lines, after the daemon stopped.
    func finish() {
        if live { draw() }
        emit("demo finished: \(transitions.filter { !$0.contains("note:") }.count) output changes; every output OFF and released")
    }

    private func draw() {
        var screen = "\u{1B}[H\u{1B}[2J"
        screen += "smallbmsd demo: \(scenario.summary)  (speed \(speed)x)\n\n"
        for output in Output.allCases {
            let on = levels[output] == .on
            let lamp = on ? "\u{1B}[1;\(output == .prealarm || output == .ledTempOVP ? "31" : "32")m●\u{1B}[0m" : "○"
            screen += "  \(lamp) \(output.displayName.padding(toLength: 13, withPad: " ", startingAt: 0)) \(on ? "ON " : "off")\n"
        }
        screen += "\n"
        for battery in snapshot?.batteries ?? [] {
            var line = "  battery \(battery.battery): "
            if let reading = battery.reading, let low = reading.cellMillivolts.min(), let high = reading.cellMillivolts.max() {
                line += "lowest \(voltsText(millivolts: low)), highest \(voltsText(millivolts: high))"
                line += reading.temperatureDecicelsius.first.map { ", \(celsiusText(decicelsius: $0))" } ?? ""
            } else {
                line += "no data yet"
            }
            if let problem = battery.problem { line += "  \u{1B}[31m\(problem.text)\u{1B}[0m" }
            screen += line + "\n"
        }
        screen += "  bus: \(bus?.sentences ?? 0) sentences, \(bus?.bad ?? 0) bad, \(bus?.repeats ?? 0) repeats\n\n"
        screen += "last transitions:\n"
        for line in transitions.suffix(10) { screen += line + "\n" }
        emit(screen, newline: false)
    }

    private func emit(_ text: String, newline: Bool = true) {
        FileHandle.standardOutput.write(Data((newline ? text + "\n" : text).utf8))
    }
}
