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
            An incident file of the flight recorder (`smallbmsd incidents`) may be named without its
            directory, and brings its own settings: without --config, those apply.
            Exit status: 0 done, 1 the log or config could not be read, 2 a malformed line.
            """
    )

    @Argument(help: ArgumentHelp("The recorded log, or an incident's name in [recorder] directory.", valueName: "file"))
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The config file whose thresholds apply (default: an incident's own, else \(defaultConfigPath) if it exists, else the built-in defaults).",
        valueName: "path"))
    var config: String?

    @Flag(help: "One JSON object a line: {\"t\": 45.200, \"output\": \"prealarm\", \"state\": \"on\", \"reason\": \"...\"}.")
    var json = false

    func run() throws {
        let file = try resolvedFile()
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("smallbmsd replay: cannot read \(file): \(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")")
            throw ExitCode(1)
        }
        let settings = try loadSettings(incident: IncidentHeader(parsing: data.prefix(65_536)), file: file)
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

    /// `file` itself, or, when there is no such file and it names no directory, the incident of
    /// that name in [recorder] directory.
    private func resolvedFile() throws -> String {
        guard !FileManager.default.fileExists(atPath: file), !file.contains("/") else { return file }
        let directory = try ConfiguredPaths.configuration(named: config, command: "replay").recorder.directory
        let candidate = directory + "/" + file
        return FileManager.default.fileExists(atPath: candidate) ? candidate : file
    }

    private func loadSettings(incident: IncidentHeader?, file: String) throws -> Settings {
        if config == nil, let incident, !incident.settingsText.isEmpty {
            do {
                let settings = try ConfigurationLoader.parse(incident.settingsText, file: "\(file) (its #| settings)").settings
                printError("smallbmsd replay: the settings in effect at the incident (its header); --config chooses others")
                return settings
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
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
