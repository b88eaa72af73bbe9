import Foundation
import Testing
@testable import Config

@Suite("Reading the file")
struct FileLoadingTests {
    /// A fresh directory, removed after the test.
    private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("config-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    private func loadError(_ path: String) -> ConfigurationError? {
        do {
            _ = try ConfigurationLoader.load(path: path)
            Issue.record("\(path) loaded")
            return nil
        } catch {
            return error
        }
    }

    @Test func missingFileNamesThePathAndTheCause() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/smallbmsd.toml"
            let error = try #require(loadError(path))
            #expect(error.file == path)
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.line == nil)
            #expect(error.description == "\(path): cannot read the configuration: the file does not exist")
        }
    }

    @Test func missingDirectoryIsNamed() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/absent/smallbmsd.toml"
            let error = try #require(loadError(path))
            #expect(error.description.hasPrefix("\(path): "))
            #expect(error.description.hasSuffix("does not exist, nor does its directory \(directory)/absent"))
        }
    }

    @Test func directoryIsNotAFile() throws {
        try withTemporaryDirectory { directory in
            let error = try #require(loadError(directory))
            #expect(error.description == "\(directory): cannot read the configuration: this is a directory, not a file")
        }
    }

    @Test func nonUTF8FileIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/latin1.toml"
            try Data([0x5B, 0x62, 0x75, 0x73, 0x5D, 0x0A, 0x23, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))
            let error = try #require(loadError(path))
            #expect(error.description.hasSuffix("not UTF-8 text"))
        }
    }

    @Test func unreadableFileNamesUserAndOwnership() throws {
        // Root reads any file, so the refusal can only be seen by an ordinary user.
        guard geteuid() != 0 else { return }
        try withTemporaryDirectory { directory in
            let path = directory + "/secret.toml"
            try "".write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, 0)
            let error = try #require(loadError(path))
            #expect(error.description.contains("permission denied for user "))
            #expect(error.description.contains("with mode 0000"))
        }
    }

    @Test func fileErrorsCarryTheLineOfTheProblem() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/bad.toml"
            try "[bus]\nbatteries = 0\n".write(toFile: path, atomically: false, encoding: .utf8)
            let error = try #require(loadError(path))
            #expect(error.description == "\(path):2: bus.batteries = 0 is out of range: allowed 1 to 20 (default 1)")
        }
    }
}
