import ArgumentParser
import Config
import Dashboards
import Export
import Foundation
import Systemd

/// `smallbmsd export --mqtt HOST`: the running daemon's status on an MQTT broker, for Home Assistant.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Publish the running daemon's status to an MQTT broker, with Home Assistant discovery.",
        discussion: """
            Runs unprivileged beside the daemon (systemd/smallbmsd-export.service) and follows its \
            status file: the protection daemon itself has no network at all. Home Assistant finds \
            one device with a sensor per cell and temperature, a binary sensor per output and one \
            for a fault; <prefix>/availability says whether the daemon runs and its status is fresh. \
            A broker that goes away is retried (1 s, doubling, up to 30 s) and, once back, given \
            every discovery document and state again. SIGTERM publishes offline and disconnects.
            """
    )

    @Option(help: ArgumentHelp("The MQTT broker's host name or address.", valueName: "host"))
    var mqtt: String

    @Option(help: ArgumentHelp("The broker's TCP port.", valueName: "n"))
    var port: Int = 1883

    @Option(help: ArgumentHelp("The daemon's status file ([status] path).", valueName: "path"))
    var status: String = Configuration.defaultStatusPath

    @Option(help: ArgumentHelp("The root of the state topics; also names the device (one per bank).", valueName: "prefix"))
    var topicPrefix: String = "smallbmsd"

    @Option(help: ArgumentHelp("Home Assistant's MQTT discovery prefix.", valueName: "prefix"))
    var discoveryPrefix: String = "homeassistant"

    @Option(help: ArgumentHelp("The user name, when the broker wants one.", valueName: "name"))
    var username: String?

    @Option(help: ArgumentHelp(
        "A file holding the password (its first line), e.g. $CREDENTIALS_DIRECTORY/mqtt-password.", valueName: "path"))
    var passwordFile: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port) is not a TCP port: 1 to 65535") }
        guard !mqtt.isEmpty else { throw ValidationError("--mqtt needs the broker's host name or address") }
        guard !topicPrefix.isEmpty, !topicPrefix.contains("#"), !topicPrefix.contains("+") else {
            throw ValidationError("--topic-prefix \"\(topicPrefix)\" must be non-empty and hold no MQTT wildcard (# or +)")
        }
        if passwordFile != nil, username == nil {
            throw ValidationError("--password-file needs --username")
        }
    }

    func run() throws {
        let journal = Journal(identifier: "smallbmsd-export")
        var password: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                journal.log(.error, "cannot read the MQTT password file \(passwordFile) (does it exist, and may this user read it?)")
                throw ExitCode(1)
            }
            password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }
        let discovery = HomeAssistantDiscovery(topicPrefix: topicPrefix, discoveryPrefix: discoveryPrefix)
        let options = StatusExporter.Options(
            host: mqtt, port: port, statusPath: status, discovery: discovery,
            clientID: "smallbmsd-export-\(discovery.nodeID)", username: username, password: password)
        let exporter: StatusExporter
        do {
            exporter = try StatusExporter(options: options, log: journal)
        } catch {
            journal.log(.error, "\(error)")
            throw ExitCode(1)
        }
        let status = exporter.run()
        if status != 0 { throw ExitCode(status) }
    }
}
