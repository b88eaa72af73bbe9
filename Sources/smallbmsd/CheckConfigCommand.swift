import ArgumentParser
import Config

/// `smallbmsd check-config`: validates a config file and prints the effective settings.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config file and print the effective settings (exit 0 if valid, 1 if not).",
        discussion: """
            Every problem is reported with the file, the line, the key and what is allowed. A daemon
            never starts on a file this command refuses, and a reload with such a file keeps the
            running config.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The config file.", valueName: "path"))
    var config: String = defaultConfigPath

    func run() throws {
        do {
            let configuration = try ConfigurationLoader.load(path: config)
            print("# \(config): valid. Effective settings (defaults filled in):")
            for warning in configuration.warnings { print("# WARNING: \(warning)") }
            print(configuration.effectiveSettingsText())
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
