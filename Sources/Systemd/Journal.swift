import EdgeIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The daemon's log: structured journal entries under systemd, plain lines on stderr elsewhere.
///
/// Under systemd every entry carries its extra fields, so `journalctl -u smallbmsd OUTPUT=load`
/// finds every change of LOAD. In a shell (`demo`, `replay`, a test) the same calls print
/// `smallbmsd: warning: ...`. Safe to share between tasks: entries never interleave.
public final class Journal: EventLog, Sendable {
    /// How important an entry is (see ``LogPriority``).
    public typealias Priority = LogPriority

    /// The `SYSLOG_IDENTIFIER=` of every entry and the prefix of every stderr line.
    public let identifier: String
    /// Whether entries go to journald as structured entries (stderr is the journal's stream).
    public let writesToJournal: Bool
    /// Where plain lines go: fd 2, except in tests that must not share it with the test runner.
    let lineDescriptor: Int32
    // Keeps concurrent lines whole: one write(2) is only atomic up to PIPE_BUF bytes.
    private let lineLock = Mutex<Void>(())

    /// A journal that decides once, now, where entries go: to journald when stderr is connected
    /// to it (systemd's `JOURNAL_STREAM` names the device and inode of fd 2), else to stderr.
    public convenience init(identifier: String = "smallbmsd") {
        self.init(identifier: identifier, writesToJournal: Journal.standardErrorIsJournal(), lineDescriptor: 2)
    }

    init(identifier: String, writesToJournal: Bool, lineDescriptor: Int32) {
        self.identifier = identifier
        self.writesToJournal = writesToJournal
        self.lineDescriptor = lineDescriptor
    }

    /// Logs `message`. Under systemd each field becomes a journal field with an upper-cased,
    /// valid name (`output` -> `OUTPUT`, `led-load` -> `LED_LOAD`); a name left empty, or one
    /// that would replace `MESSAGE`, `PRIORITY` or `SYSLOG_IDENTIFIER`, is dropped. On stderr
    /// the fields are omitted: the message itself must say everything a reader needs.
    public func log(_ priority: Priority, _ message: String, fields: [String: String] = [:]) {
        if writesToJournal {
            var entry = [
                "MESSAGE=\(message)",
                "PRIORITY=\(priority.syslogLevel)",
                "SYSLOG_IDENTIFIER=\(identifier)",
            ]
            var extras: [(name: String, value: String)] = []
            for (key, value) in fields {
                guard let name = Journal.fieldName(key), !Journal.reservedNames.contains(name) else { continue }
                extras.append((name, value))
            }
            // Sorted so that the same call gives the same entry, whatever the dictionary's order.
            extras.sort { $0.name < $1.name }
            entry += extras.map { "\($0.name)=\($0.value)" }
            if LibSystemd.journalSend(entry) >= 0 { return }
            // journald's socket refused the entry, but the stream on stderr may still work: a
            // `<N>` prefix keeps the priority there (SyslogLevelPrefix=, on by default).
            writeLine("<\(priority.syslogLevel)>\(message)\n")
            return
        }
        writeLine("\(identifier): \(priority.label): \(message)\n")
    }

    // MARK: - Internals

    /// Fields the journal sets itself; extras with these names would make an entry ambiguous.
    static let reservedNames: Set<String> = ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"]

    /// A valid journal field name for `key`: ASCII upper-case letters, digits and `_`, not
    /// starting with `_` (those are trusted fields only journald may set) nor a digit, at most 64
    /// characters. Nil when nothing valid is left.
    static func fieldName(_ key: String) -> String? {
        var scalars: [Unicode.Scalar] = []
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": scalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9", "_": scalars.append(scalar)
            default: scalars.append("_")
            }
        }
        while let first = scalars.first, first == "_" || ("0"..."9").contains(first) {
            scalars.removeFirst()
        }
        guard !scalars.isEmpty else { return nil }
        var name = ""
        name.unicodeScalars.append(contentsOf: scalars.prefix(64))
        return name
    }

    /// Whether fd 2 is the stream systemd connected to journald (sd_journal_stream_fd's contract:
    /// compare `JOURNAL_STREAM=<device>:<inode>` with fstat of fd 2, so a stderr redirected
    /// elsewhere after systemd started the process is not mistaken for the journal).
    static func standardErrorIsJournal() -> Bool {
        guard let raw = getenv("JOURNAL_STREAM") else { return false }
        return streamMatches(String(cString: raw), descriptor: 2)
    }

    /// Whether `value` (`<device>:<inode>`, decimal) names the file open on `descriptor`.
    static func streamMatches(_ value: String, descriptor: Int32) -> Bool {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    private func writeLine(_ line: String) {
        let bytes = Array(line.utf8)
        // stderr closed or full: a log line is not worth blocking or failing the daemon.
        lineLock.withLock { _ in _ = DescriptorWriter.writeAll(lineDescriptor, bytes, whenFull: .giveUp) }
    }
}
