import ArgumentParser
import Config
import Devices
import Systemd

/// `smallbmsd safe-state`: drives every configured output OFF once and exits (the unit's ExecStopPost=).
struct SafeStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "safe-state",
        abstract: "Drive every configured output to its safe level (OFF) once, release the lines and exit.",
        discussion: """
            systemd runs this after every stop, crash or watchdog kill (ExecStopPost=), so the
            outputs end OFF whatever happened to the daemon. Exit status 0 when every line was
            driven OFF, 1 when any could not be (each failure is printed).
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The config file naming the lines.", valueName: "path"))
    var config: String = defaultConfigPath

    func run() throws {
        let journal = Journal()
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(path: config)
        } catch {
            // Without a readable config the lines are unknown; the kernel still releases them.
            journal.log(.error, "safe-state: cannot read the config, so cannot name the lines to drive OFF: \(error)")
            throw ExitCode(1)
        }
        let problems = GPIO.driveSafeState(configuration.gpio, consumer: "smallbmsd-safe-state")
        for problem in problems { journal.log(.error, "safe-state: \(problem)") }
        if !problems.isEmpty { throw ExitCode(1) }
        let names = configuration.gpio.outputs.keys.sorted { $0.rawValue < $1.rawValue }.map(\.displayName)
        journal.log(.notice, "safe-state: \(names.joined(separator: ", ")) driven OFF and released", fields: ["STATE": "off"])
    }
}
