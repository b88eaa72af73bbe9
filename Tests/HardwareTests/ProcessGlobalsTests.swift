#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

/// The parent of every suite that changes process-wide state (environment variables, fd 2).
///
/// `.serialized` applies to nested suites too, so ``ServiceManagerTests`` and ``JournalTests``
/// never run at the same time as each other; separately serialized suites still would.
@Suite("process-wide state", .serialized)
enum ProcessGlobalsTests {
    /// Runs `body` with the environment variables in `changes` set (nil: unset), then restores them.
    static func withEnvironment<Result>(
        _ changes: [String: String?], _ body: () throws -> Result
    ) rethrows -> Result {
        var saved: [String: String?] = [:]
        for (name, value) in changes {
            saved[name] = getenv(name).map { String(cString: $0) }
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
        defer {
            for (name, value) in saved {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        return try body()
    }

    /// A new, empty directory under /tmp (short, so a socket path inside fits `sun_path`).
    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/smallbmsd-test-XXXXXX".utf8CString)
        try #require(mkdtemp(&template) != nil)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
