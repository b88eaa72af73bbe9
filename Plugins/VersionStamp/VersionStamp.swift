import Foundation
import PackagePlugin

/// Stamps the version into the `BuildInfo` module before every build: runs scripts/version.sh,
/// which writes `stampedVersion` (VERSION plus git, or `$SMALLBMSD_VERSION`), so `smallbmsd
/// --version`, the status file and the Debian package name one version. A prebuild command runs
/// on every build; the script rewrites its file only when the version changes.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "stamped")
        let script = context.package.directoryURL.appending(path: "scripts/version.sh")
        var environment: [String: String] = [:]
        // debian/rules sets it: a source package has no .git to ask.
        if let version = ProcessInfo.processInfo.environment["SMALLBMSD_VERSION"] {
            environment["SMALLBMSD_VERSION"] = version
        }
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return [
            .prebuildCommand(
                displayName: "Stamping smallbmsd's version (scripts/version.sh)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    "-c", "mkdir -p \"$1\" && exec \"$0\" --swift \"$1/StampedVersion.swift\"",
                    script.path, output.path,
                ],
                environment: environment,
                outputFilesDirectory: output)
        ]
    }
}
