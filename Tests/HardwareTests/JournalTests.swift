#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import Devices
@testable import EdgeIO
@testable import Status
@testable import Systemd

/// What a reader thread drained from a pipe; handed over once, after `finished` is signalled.
private final class PipeDrain: @unchecked Sendable {
    var bytes: [UInt8] = []
    let finished = DispatchSemaphore(value: 0)
}

/// Hands `body` the write end of a pipe and returns everything written to it.
///
/// A thread drains the pipe meanwhile: a pipe holds 64 KiB, and writers would block on a full one.
private func drainingPipe(_ body: (_ writeEnd: Int32) -> Void) throws -> String {
    var ends: [Int32] = [-1, -1]
    try #require(pipe(&ends) == 0)
    let readEnd = ends[0]
    let drain = PipeDrain()
    Thread {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            drain.bytes += buffer[0..<count]
        }
        drain.finished.signal()
    }.start()
    body(ends[1])
    close(ends[1])
    drain.finished.wait()
    close(readEnd)
    return String(decoding: drain.bytes, as: UTF8.self)
}

/// The lines starting with `smallbmsd: ` that `body` wrote to fd 2.
///
/// Only those: the test runner reports progress on the same fd 2 while `body` runs.
private func journalLinesOnStandardError(_ body: () -> Void) throws -> [String] {
    let saved = dup(2)
    try #require(saved >= 0)
    let output = try drainingPipe { writeEnd in
        dup2(writeEnd, 2)
        body()
        dup2(saved, 2)
    }
    close(saved)
    return output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("smallbmsd: ") }
}

extension ProcessGlobalsTests {
    @Suite("Journal")
    struct JournalTests {
        @Test("without JOURNAL_STREAM, entries are plain stderr lines with identifier and level")
        func fallsBackToStandardError() throws {
            let journal = ProcessGlobalsTests.withEnvironment(["JOURNAL_STREAM": nil]) { Journal() }
            #expect(!journal.writesToJournal)
            let lines = try journalLinesOnStandardError {
                journal.log(.notice, "LOAD off: battery 2 cell 3 2.79 V < 2.80 V", fields: ["output": "load", "state": "off"])
                journal.log(.warning, "battery 1: no fresh valid data for 3 s")
                journal.log(.error, "cannot open /dev/ttyUSB0")
            }
            #expect(lines == [
                "smallbmsd: notice: LOAD off: battery 2 cell 3 2.79 V < 2.80 V",
                "smallbmsd: warning: battery 1: no fresh valid data for 3 s",
                "smallbmsd: error: cannot open /dev/ttyUSB0",
            ])
        }

        @Test("stderr is taken for the journal only when JOURNAL_STREAM names fd 2's device and inode")
        func detectsJournalStream() throws {
            var status = stat()
            try #require(fstat(2, &status) == 0)
            let matching = "\(status.st_dev):\(status.st_ino)"
            ProcessGlobalsTests.withEnvironment(["JOURNAL_STREAM": matching]) {
                #expect(Journal().writesToJournal)
            }
            // A stderr redirected after systemd started us keeps the variable but not the stream.
            ProcessGlobalsTests.withEnvironment(["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino &+ 1)"]) {
                #expect(!Journal().writesToJournal)
            }
            for garbage in ["", ":", "12", "a:b", "\(status.st_dev):\(status.st_ino):0"] {
                #expect(!Journal.streamMatches(garbage, descriptor: 2), "\(garbage)")
            }
        }

        @Test("field names become valid journal field names", arguments: [
            ("output", "OUTPUT"),
            ("RULE", "RULE"),
            ("led-load", "LED_LOAD"),
            ("battery.cell", "BATTERY_CELL"),
            ("_PID", "PID"),
            ("__9cells", "CELLS"),
            ("café", "CAF_"),
        ])
        func sanitizesFieldNames(key: String, expected: String) {
            #expect(Journal.fieldName(key) == expected)
        }

        @Test("names with nothing valid left are dropped, long ones cut to 64 characters")
        func unusableFieldNames() {
            #expect(Journal.fieldName("") == nil)
            #expect(Journal.fieldName("___") == nil)
            #expect(Journal.fieldName("42") == nil)
            #expect(Journal.fieldName(String(repeating: "x", count: 100)) == String(repeating: "X", count: 64))
            #expect(Journal.reservedNames.contains(Journal.fieldName("message")!))
        }

        @Test("priorities map to syslog levels")
        func syslogLevels() {
            #expect(Journal.Priority.allCases.map(\.syslogLevel) == [3, 4, 5, 6, 7])
        }

        @Test("lines logged from many threads at once arrive whole")
        func concurrentLinesStayWhole() throws {
            // Longer than PIPE_BUF (4096), where a single write(2) is no longer atomic.
            let text = String(repeating: "x", count: 10_000)
            let output = try drainingPipe { writeEnd in
                let journal = Journal(identifier: "smallbmsd", writesToJournal: false, lineDescriptor: writeEnd)
                DispatchQueue.concurrentPerform(iterations: 8) { thread in
                    for line in 0..<10 { journal.log(.info, "\(thread)-\(line) \(text)") }
                }
            }
            let lines = output.split(separator: "\n")
            #expect(lines.count == 80)
            #expect(lines.allSatisfy { $0.hasPrefix("smallbmsd: info: ") && $0.hasSuffix(text) })
        }
    }
}
