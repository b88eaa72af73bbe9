import ArgumentParser
import BMSCore
import Config
import Daemon
import Foundation
import Devices
import Pipeline

/// `smallbmsd demo`: the whole daemon on a simulated bank and simulated lines, for a first look.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole daemon on a simulated bank and simulated GPIO lines, for a first look.",
        discussion: """
            The real run loop, decoder and rules, fed through an internal pseudo-terminal by the bank
            simulator, switching in-process simulated lines ([gpio] chip = "simulated"). The tour shows
            PRE-ALARM, LOAD cut after the lead, CHARGER cut for over-voltage and for cold, a silent
            battery, and recovery, then exits 0. About two minutes at --speed 1; the core's clock is
            virtual, so --speed 10 shows the same transitions ten times faster. On a terminal it draws
            a live view; otherwise it prints one line per transition.
            """
    )

    @Option(help: "Run this many times faster than real time (1 to 100).")
    var speed = 1.0

    @Option(help: "The scenario to play (see smallbmsd simulate --help).")
    var scenario: String = BankSimulator.Scenario.demo.rawValue

    @Option(help: "Batteries on the simulated bus (1 to 20).")
    var batteries = 2

    func validate() throws {
        guard BankSimulator.Scenario(rawValue: scenario) != nil else {
            throw ValidationError("unknown scenario \"\(scenario)\": one of \(BankSimulator.Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard speed >= 1, speed <= 100 else { throw ValidationError("--speed must be 1 to 100") }
        guard (1...20).contains(batteries) else { throw ValidationError("--batteries must be 1 to 20") }
    }

    func run() throws {
        let chosen = BankSimulator.Scenario(rawValue: scenario)!
        let pseudoTerminal: PseudoTerminal
        do {
            pseudoTerminal = try PseudoTerminal()
        } catch {
            printError("smallbmsd demo: \(error)")
            throw ExitCode(1)
        }
        let statusFolder = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-demo-\(getpid())")
        try? FileManager.default.createDirectory(at: statusFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: statusFolder) }

        var configuration = Configuration()
        configuration.bus.device = pseudoTerminal.slavePath
        configuration.settings.batteryCount = batteries
        configuration.gpio.chip = GPIOConfiguration.simulatedChip
        // A simulated bank: nothing of it belongs in the real bank's incidents or history.
        configuration.recorder.enabled = false
        configuration.history.enabled = false
        configuration.gpio.outputs = GPIOConfiguration.defaultOutputs
        configuration.gpio.outputs[.ledLoad] = OutputLineConfiguration(line: .name("GPIO23"), activeLow: false)
        configuration.gpio.outputs[.ledTempOVP] = OutputLineConfiguration(line: .name("GPIO24"), activeLow: false)
        configuration.remote.mode = .alwaysOn
        configuration.statusPath = statusFolder.appendingPathComponent("status.json").path

        let clock = PacedClock(speed: speed, tick: .seconds(1))
        var options = Daemon.Options(configPath: nil)
        options.clock = clock
        options.statusInterval = .milliseconds(250)
        let view = DemoView(scenario: chosen, speed: speed, live: isatty(1) == 1)
        let daemon = Daemon(configuration: configuration, options: options, log: view, extraSinks: [view])
        let stop = daemon.stopHandle
        let batteryCount = batteries

        // The bank: its own thread, writing each tick when the core's clock reaches it.
        let feeder = Thread {
            var simulator = BankSimulator(scenario: chosen, batteries: batteryCount)
            var tick = 0
            while !simulator.isFinished(at: Double(tick)) {
                let due = Instant.seconds(Double(tick))
                let ahead = due - clock.coreNow()
                if ahead > .zero { Thread.sleep(forTimeInterval: clock.realDuration(forCore: ahead).secondsValue) }
                try? pseudoTerminal.write(simulator.tick(at: Double(tick)))
                clock.advance(to: due)
                tick += 1
            }
            stop.requestStop()
        }
        feeder.start()
        let status = daemon.run()
        view.finish()
        if status != 0 { throw ExitCode(status) }
    }
}
