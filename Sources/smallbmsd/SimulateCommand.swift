import ArgumentParser
import Pipeline
import Foundation
import Config
import Devices

/// `smallbmsd simulate`: a bank simulator writing M8 sentences to a serial port or a new pty.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a battery bank: write M8 sentences to a serial port, or to a pseudo-terminal it creates.",
        discussion: """
            Test a config and the wiring without batteries: with a USB-serial loopback (TX to the
            daemon's RX), run `smallbmsd simulate --port /dev/ttyUSB1 --scenario discharge` and watch
            `journalctl -fu smallbmsd`. Without --port it creates a pseudo-terminal and prints its path,
            to use as [bus] device. With --protocol jbd, jk or daly it is one battery's BMS instead,
            answering the daemon's polls (use the pty as that [[battery]]'s device). Scenarios:
            \(BankSimulator.Scenario.allCases.map { "  \($0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))
            """
    )

    @Option(help: ArgumentHelp("The serial device to write to (default: create a pseudo-terminal and print its path).", valueName: "path"))
    var port: String?

    @Option(help: ArgumentHelp("What to simulate: m8 (an M8 bus adapter writing sentences) or a BMS answering polls: jbd, jk, daly."))
    var `protocol` = "m8"

    @Option(help: ArgumentHelp("The baud rate of --port (\(SimulateCommand.baudRatesText); default 115200 for m8, the BMS's own for jbd, jk, daly)."))
    var baud: Int?

    private static let baudRatesText = SerialBaudRates.supported.map(String.init).joined(separator: ", ")

    @Option(help: "Batteries on the simulated bus (1 to 20).")
    var batteries = 1

    @Option(help: "Cells per battery (4 or 8; 4 to 32 for a BMS).")
    var cells = 4

    @Option(help: "Sentences per second per battery (0.1 to 10).")
    var rate = 1.0

    @Option(help: "The scenario to play.")
    var scenario: String = BankSimulator.Scenario.steady.rawValue

    @Option(help: "Play the scenario this many times faster than real time.")
    var speed = 1.0

    @Option(help: ArgumentHelp("Also write what is sent as a replay log (for smallbmsd replay).", valueName: "file"))
    var record: String?

    @Flag(help: ArgumentHelp("With --protocol: also read changes from standard input, one a line: cell N MV, discharge on|off, charge on|off, scenario."))
    var control = false

    @Flag(help: "Start the scenario over when it ends, until interrupted.")
    var `repeat` = false

    func validate() throws {
        guard BankSimulator.Scenario(rawValue: scenario) != nil else {
            throw ValidationError("unknown scenario \"\(scenario)\": one of \(BankSimulator.Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...20).contains(batteries) else { throw ValidationError("--batteries must be 1 to 20") }
        if `protocol` != "m8" {
            let serial = BatterySource.allCases.filter(\.isSerial)
            guard let source = BatterySource(rawValue: `protocol`), source.isSerial else {
                throw ValidationError("unknown protocol \"\(`protocol`)\": one of m8, \(serial.map(\.rawValue).joined(separator: ", ")) (victron-ble batteries advertise over Bluetooth, not on a serial port)")
            }
            guard batteries == 1 else { throw ValidationError("--batteries: a BMS is one battery (run one simulate per port)") }
            guard (4...32).contains(cells) else { throw ValidationError("--cells must be 4 to 32 for a BMS") }
            if let baud, !source.supportedBauds.contains(baud) {
                throw ValidationError("--baud \(baud): a \(source.rawValue) BMS talks at \(source.supportedBauds.map(String.init).joined(separator: " or "))")
            }
            guard record == nil else { throw ValidationError("--record is for m8 (the daemon records what it reads: replay that)") }
            guard speed > 0, speed <= 1000 else { throw ValidationError("--speed must be above 0 and at most 1000") }
            return
        }
        guard !control else { throw ValidationError("--control is for --protocol jbd, jk or daly") }
        guard cells == 4 || cells == 8 else { throw ValidationError("--cells must be 4 or 8") }
        guard rate >= 0.1, rate <= 10 else { throw ValidationError("--rate must be 0.1 to 10 sentences a second") }
        guard speed > 0, speed <= 1000 else { throw ValidationError("--speed must be above 0 and at most 1000") }
    }

    func run() throws {
        let chosen = BankSimulator.Scenario(rawValue: scenario)!
        if let source = BatterySource(rawValue: `protocol`) {
            try simulateBMS(source, scenario: chosen)
            return
        }
        let sink: BusSink
        do {
            sink = try port.map { try BusSink(device: $0, baud: baud ?? 115200) } ?? BusSink(pseudoTerminal: PseudoTerminal())
        } catch {
            printError("smallbmsd simulate: \(error)")
            throw ExitCode(1)
        }
        if port == nil {
            // Straight to the descriptor: a buffered print would never reach a file or pipe before exit.
            FileHandle.standardOutput.write(Data("simulating on \(sink.path) (use it as [bus] device); scenario \(chosen.rawValue): \(chosen.summary)\n".utf8))
        }
        let recorder = record.map { _ = FileManager.default.createFile(atPath: $0, contents: nil); return FileHandle(forWritingAtPath: $0) } ?? nil
        if record != nil, recorder == nil {
            printError("smallbmsd simulate: cannot write the record file \(record!)")
            throw ExitCode(1)
        }
        let started = Date()
        var round = 0.0
        repeat {
            var simulator = BankSimulator(scenario: chosen, batteries: batteries, cellsPerBattery: cells)
            var tick = 0
            while !simulator.isFinished(at: Double(tick) / rate) {
                let t = Double(tick) / rate
                let due = (round + t) / speed
                let wait = due - Date().timeIntervalSince(started)
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                let bytes = simulator.tick(at: t)
                do {
                    try sink.write(bytes)
                } catch {
                    printError("smallbmsd simulate: \(error)")
                    throw ExitCode(1)
                }
                if let recorder {
                    let lines = BankSimulator.replayLines(for: bytes, at: round + t)
                    if !lines.isEmpty { recorder.write(Data((lines.joined(separator: "\n") + "\n").utf8)) }
                }
                tick += 1
            }
            round += chosen.duration
        } while `repeat`
        if let recorder {
            recorder.write(Data("\(round)\n".utf8))
            try? recorder.close()
        }
    }
}

extension SimulateCommand {
    /// One BMS answering polls on --port or a new pty, until the scenario ends (or for ever with --repeat).
    private func simulateBMS(_ source: BatterySource, scenario chosen: BankSimulator.Scenario) throws {
        let simulation = BMSSimulation(
            source: source, simulator: BankSimulator(scenario: chosen, batteries: 1, cellsPerBattery: cells),
            speed: speed, repeats: `repeat`)
        do {
            if let port {
                let serial = try SerialPort(path: port, baud: baud ?? source.defaultBaud)
                try simulation.run(descriptor: serial.descriptor, control: control ? 0 : nil) { try serial.write($0) }
            } else {
                let terminal = try PseudoTerminal()
                FileHandle.standardOutput.write(Data("simulating a \(source.rawValue) BMS on \(terminal.slavePath) (use it as a [[battery]] device with source = \"\(source.rawValue)\"); scenario \(chosen.rawValue): \(chosen.summary)\n".utf8))
                try simulation.run(descriptor: terminal.masterDescriptor, control: control ? 0 : nil) { try terminal.write($0) }
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("smallbmsd simulate: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Where simulated bus bytes go: a serial device or the master side of a pty.
final class BusSink {
    let path: String
    private let serial: SerialPort?
    private let pseudoTerminal: PseudoTerminal?

    init(device: String, baud: Int) throws {
        serial = try SerialPort(path: device, baud: baud)
        pseudoTerminal = nil
        path = device
    }

    init(pseudoTerminal: PseudoTerminal) {
        self.pseudoTerminal = pseudoTerminal
        serial = nil
        path = pseudoTerminal.slavePath
    }

    func write(_ bytes: [UInt8]) throws {
        if let pseudoTerminal { try pseudoTerminal.write(bytes) }
        if let serial { try serial.write(bytes) }
    }
}
