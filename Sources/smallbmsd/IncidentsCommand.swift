import ArgumentParser
import Config
import Pipeline
import Recording

/// `smallbmsd incidents`: the flight recorder's files, oldest first.
struct IncidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List the incidents the flight recorder wrote (time, output, reason, file).",
        discussion: """
            Each file holds the inputs of [recorder] window_s before a trip and after_s after it, with
            the settings in effect; `smallbmsd replay NAME` replays one by its name.
            Exit status: 0 listed (also when there are none), 1 the config could not be read.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The config file naming [recorder] directory (default: \(defaultConfigPath) if it exists).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The incidents directory (default: [recorder] directory).", valueName: "dir"))
    var directory: String?

    @Flag(help: "One JSON object a line: {\"time\": ..., \"output\": ..., \"state\": ..., \"rule\": ..., \"reason\": ..., \"file\": ...}.")
    var json = false

    func run() throws {
        let folder = try directory ?? ConfiguredPaths.configuration(named: config, command: "incidents").recorder.directory
        let store = IncidentStore(directory: folder, maxBytes: .max)
        let entries = store.list()
        if entries.isEmpty, !json {
            print("no incidents in \(folder)")
            return
        }
        for entry in entries {
            let header = store.header(of: entry.name)
            if json {
                let fields = [
                    ("time", header?.time ?? ""), ("output", header?.output ?? ""), ("state", header?.state ?? ""),
                    ("rule", header?.rule ?? ""), ("reason", header?.reason ?? "not an incident file"), ("file", entry.name),
                ]
                print("{" + fields.map { "\(jsonString($0.0)): \(jsonString($0.1))" }.joined(separator: ", ") + ", \"bytes\": \(entry.bytes)}")
            } else if let header {
                let more = header.laterTrips.isEmpty ? "" : " (+\(header.laterTrips.count) more)"
                print("\(header.time)  \(header.output) \(header.state)  \(header.reason)\(more)  \(entry.name)")
            } else {
                print("?  ?  not an incident file  \(entry.name)")
            }
        }
    }
}
