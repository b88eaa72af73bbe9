import ArgumentParser
import BMSCore
import Pipeline
import Config
import Foundation

/// `smallbmsd replay`: the post-mortem tool. Runs the rules over a recorded log in virtual time.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the rules over a recorded bus log in virtual time and print every output change.",
        discussion: """
            The log has one event a line, T being seconds since the start of the log (never decreasing):
              T $M8B,...*CRC    a bus sentence exactly as on the wire (bad ones are counted and skipped)
              T remote on       the remote input changes (absent: remote is on from T=0)
              T remote off
              T soc 14.5        a state of charge from the VE.Direct monitor, in percent
              T                 nothing happens; time advances to T
            Blank lines and lines starting with # are skipped. The rules are the daemon's own code;
            timers fire exactly when due, also between two lines. All outputs start off.
            Exit status: 0 done, 1 the log or config could not be read, 2 a malformed line.
            """
    )

    @Argument(help: ArgumentHelp("The recorded log.", valueName: "file"))
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The config file whose thresholds apply (default: \(defaultConfigPath) if it exists, else the built-in defaults).",
        valueName: "path"))
    var config: String?

    @Flag(help: "One JSON object a line: {\"t\": 45.200, \"output\": \"prealarm\", \"state\": \"on\", \"reason\": \"...\"}.")
    var json = false

    func run() throws {
        let settings = try loadSettings()
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("smallbmsd replay: cannot read \(file): \(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")")
            throw ExitCode(1)
        }
        var runner = ReplayRunner(settings: settings)
        let format: ReplayFormat = json ? .json : .text
        var output = ""
        do {
            try runner.run(log: [UInt8](data)) { change in
                output += format.line(for: change)
                output += "\n"
                if output.utf8.count > 1 << 16 {
                    print(output, terminator: "")
                    output = ""
                }
            }
        } catch {
            print(output, terminator: "")
            printError("smallbmsd replay: \(file): \(error)")
            throw ExitCode(2)
        }
        print(output, terminator: "")
        let counters = runner.counters
        printError("replayed \(runner.linesRead) lines, \(millisecondsText(runner.time.sinceOrigin)) s of log: \(counters.sentences) sentences, \(counters.bad) bad, \(counters.repeats) repeats, \(counters.foreign) foreign, \(runner.foreignBatterySentences) from batteries above the configured count")
    }

    private func loadSettings() throws -> Settings {
        let path = config ?? (FileManager.default.fileExists(atPath: defaultConfigPath) ? defaultConfigPath : nil)
        guard let path else {
            printError("smallbmsd replay: no config file given and \(defaultConfigPath) absent: using the built-in defaults")
            return Settings()
        }
        do {
            return try ConfigurationLoader.load(path: path).settings
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
