import ArgumentParser
import BuildInfo

/// `smallbmsd manual config`: prints smallbmsd.toml(5) as roff, made from the config schema.
/// Hidden: the Debian build runs it to make the installed page (debian/rules).
struct ManualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Print a manual page as roff (the package build uses it).",
        shouldDisplay: false
    )

    /// The pages this command can make.
    enum Page: String, ExpressibleByArgument, CaseIterable {
        /// smallbmsd.toml(5).
        case config
    }

    @Argument(help: "The page: config (smallbmsd.toml(5)).")
    var page: Page

    func run() throws {
        switch page {
        case .config: print(ConfigManualPage.roff(version: smallbmsdVersion), terminator: "")
        }
    }
}
