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

/// A fresh directory under /tmp, removed with everything in it when the test is done.
private final class ScratchDirectory {
    let path: String

    init() throws {
        path = try ProcessGlobalsTests.makeTemporaryDirectory()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var entries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

@Suite("StatusFile")
struct StatusFileTests {
    @Test("a written report reads back equal, with its modification time")
    func roundTrip() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/status.json"
        let report = StatusReport.sample()
        try StatusFile.write(report, to: path)
        let (readBack, modified) = try StatusFile.read(path: path)
        #expect(readBack == report)
        #expect(abs(modified - Date().timeIntervalSince1970) < 60)
    }

    @Test("writing replaces the file and leaves no .tmp behind")
    func replacesAtomically() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/status.json"
        try StatusFile.write(.sample(pid: 1), to: path)
        var inode = stat()
        stat(path, &inode)
        let firstInode = inode.st_ino
        try StatusFile.write(.sample(pid: 2, fault: "battery 1: no fresh valid data for 3 s"), to: path)
        #expect(directory.entries == ["status.json"])
        let (report, _) = try StatusFile.read(path: path)
        #expect(report.pid == 2)
        #expect(report.fault == "battery 1: no fresh valid data for 3 s")
        // A new inode each time: a reader holding the old file open still reads a whole report.
        stat(path, &inode)
        #expect(inode.st_ino != firstInode)
        #expect(inode.st_mode & 0o777 == 0o644)
    }

    @Test("the file is one line of JSON that shows paths and nulls plainly")
    func fileText() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/status.json"
        try StatusFile.write(.sample(), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(text.filter { $0 == "\n" }.count == 1)
        #expect(text.contains(#""device":"/dev/ttyUSB0""#))
        #expect(text.contains(#""fault":null"#))
        #expect(text.hasPrefix(#"{"batteries":[{"age_s":0.4,"#))
    }

    @Test("a missing directory names the path and points at RuntimeDirectory=")
    func missingDirectory() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/smallbmsd/status.json"
        let error = thrownError(HardwareError.self) { try StatusFile.write(.sample(), to: path) }
        #expect(error?.message == "cannot write the status file \(path): create \(path).tmp: directory \(directory.path)/smallbmsd does not exist (the unit needs RuntimeDirectory=smallbmsd, or set [status] path to a directory that exists)")
        #expect(error?.errno == ENOENT)
    }

    @Test("a failed rename removes its .tmp file")
    func failedRenameCleansUp() throws {
        let directory = try ScratchDirectory()
        // A non-empty directory where the file should be: rename(2) refuses to replace it.
        let path = directory.path + "/status.json"
        try FileManager.default.createDirectory(atPath: path + "/occupied", withIntermediateDirectories: true)
        let error = thrownError(HardwareError.self) { try StatusFile.write(.sample(), to: path) }
        #expect(error?.message.hasPrefix("cannot write the status file \(path): rename \(path).tmp: ") == true)
        #expect(directory.entries == ["status.json"])
    }

    @Test("reading with no file says the daemon is not running")
    func readMissing() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/status.json"
        let error = thrownError(HardwareError.self) { try StatusFile.read(path: path) }
        #expect(error?.message.hasPrefix("no status file at \(path): smallbmsd is not running") == true)
    }

    @Test("reading something else says what is wrong with it")
    func readGarbage() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/status.json"
        try Data("{\"version\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        let wrongType = thrownError(HardwareError.self) { try StatusFile.read(path: path) }
        #expect(wrongType?.message == "\(path) is not a status file this smallbmsd can read (version has the wrong type); is it another version?")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        let notJSON = thrownError(HardwareError.self) { try StatusFile.read(path: path) }
        #expect(notJSON?.message.contains("(not valid JSON)") == true)
    }
}
