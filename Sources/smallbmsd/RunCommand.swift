import ArgumentParser
import Config
import Daemon
import Foundation
import Systemd

/// `smallbmsd run`: the daemon (the default command).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: read the bus, apply the rules, switch the lines (the default command).",
        discussion: """
            Under systemd it is Type=notify: READY=1 once the lines are held and the bus is open,
            WATCHDOG=1 from the control loop, STATUS= with a one-line summary. SIGHUP re-reads the
            config (a bad file keeps the running one); SIGTERM or SIGINT drives every output OFF,
            writes the final status, releases the lines and exits 0. Exit status 1: a bad config or
            an error at the GPIO lines (every output is driven OFF first).
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The config file.", valueName: "path"))
    var config: String = defaultConfigPath

    func run() throws {
        let journal = Journal()
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(path: config)
        } catch {
            journal.log(.error, "refusing to start: \(error)")
            throw ExitCode(1)
        }
        var options = Daemon.Options(configPath: config)
        if let hang = ProcessInfo.processInfo.environment["SMALLBMSD_TEST_HANG_LOOP_AFTER_S"], let seconds = Double(hang) {
            options.hangLoopAfter = .seconds(seconds)
        }
        for warning in configuration.warnings { journal.log(.warning, "config: \(warning)") }
        let daemon = Daemon(configuration: configuration, options: options, log: journal)
        let status = daemon.run()
        if status != 0 { throw ExitCode(status) }
    }
}
