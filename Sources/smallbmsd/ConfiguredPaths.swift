import ArgumentParser
import Config
import Foundation

/// Where the recording commands look: the `[recorder]` and `[history]` of `--config`, or of the
/// default config file when it exists, or the built-in defaults.
enum ConfiguredPaths {
    /// The configuration in effect for a tool; a named config that cannot be read is an error.
    static func configuration(named path: String?, command: String) throws -> Configuration {
        let chosen = path ?? (FileManager.default.fileExists(atPath: defaultConfigPath) ? defaultConfigPath : nil)
        guard let chosen else { return Configuration() }
        do {
            return try ConfigurationLoader.load(path: chosen)
        } catch {
            printError("\(error)")
            printError("smallbmsd \(command): cannot read the config \(chosen)")
            throw ExitCode(1)
        }
    }
}
