import ArgumentParser
import BuildInfo
import Config
import Daemon

/// The `smallbmsd` command: the daemon and its tools, one executable.
@main
struct SmallBMSD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smallbmsd",
        abstract: "Protects a Victron Lithium Battery Smart bank: reads the M8 BMS bus, switches LOAD, CHARGER and PRE-ALARM.",
        discussion: """
            The rules and the config keys are described in README.md and in the commented sample
            config (installed as /etc/smallbmsd/smallbmsd.toml). Every output starts OFF (floating)
            and goes OFF on any doubt.
            """,
        version: smallbmsdVersion,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, SafeStateCommand.self, StatusCommand.self,
            ReplayCommand.self, SimulateCommand.self, DemoCommand.self, ExportCommand.self, ManualCommand.self,
            IncidentsCommand.self, HistoryCommand.self, HistorySoakCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}

/// The config file every command reads unless `--config` names another.
let defaultConfigPath = ConfigurationLoader.defaultPath
