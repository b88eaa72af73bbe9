import EdgeIO
import Pipeline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The incidents directory (`[recorder] directory`): one file per incident, bounded in size.
///
/// A file is written whole, as one block, to `NAME.tmp`, flushed once (one fsync: SD cards
/// wear) and renamed into place, so a reader never sees half an incident. Then the oldest
/// files go until the directory fits `maxBytes` (the one just written always stays).
public struct IncidentStore: Sendable {
    /// The directory.
    public let directory: String
    /// The most the `.log` files may take together.
    public let maxBytes: Int

    /// A store in `directory` bounded to `maxBytes`.
    public init(directory: String, maxBytes: Int) {
        self.directory = directory
        self.maxBytes = maxBytes
    }

    /// One incident file, as ``list()`` finds it.
    public struct Entry: Sendable, Hashable {
        /// The file name (`20261202T061003Z-load-critical-floor.log`).
        public var name: String
        /// Its size in bytes.
        public var bytes: Int
    }

    /// Writes `bytes` as `name` (as `NAME-2.log` and so on when that name is taken: two
    /// incidents in the same second) and applies the bound; returns the name written and the
    /// names removed. Errors name the directory and what to check.
    @discardableResult
    public func write(name requested: String, bytes: [UInt8]) throws(HardwareError) -> (name: String, removed: [String]) {
        if mkdir(directory, 0o755) != 0, errno != EEXIST {
            throw HardwareError("cannot create the incidents directory \(directory): \(HardwareError.describe(errno: errno)); check [recorder] directory and that the daemon's user may write there", errno: errno)
        }
        let name = freeName(for: requested)
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw HardwareError("cannot write the incident file \(temporary): \(HardwareError.describe(errno: errno)); check that the daemon's user may write to \(directory)", errno: errno)
        }
        var failure: (step: String, errno: Int32)?
        if let error = DescriptorWriter.writeAll(fd, bytes, whenFull: .giveUp) {
            failure = ("write", error)
        } else if fsync(fd) != 0 {
            failure = ("flush", errno)
        }
        if close(fd) != 0, failure == nil { failure = ("close", errno) }
        if failure == nil, rename(temporary, path) != 0 { failure = ("rename", errno) }
        if let failure {
            _ = unlink(temporary)
            throw HardwareError("cannot \(failure.step) the incident file \(path): \(HardwareError.describe(errno: failure.errno)); check free space on the card (df \(directory))", errno: failure.errno)
        }
        return (name, applyBound(keeping: name))
    }

    private func freeName(for requested: String) -> String {
        var status = stat()
        guard stat(directory + "/" + requested, &status) == 0 else { return requested }
        let stem = requested.hasSuffix(".log") ? String(requested.dropLast(4)) : requested
        var number = 2
        while stat(directory + "/\(stem)-\(number).log", &status) == 0 { number += 1 }
        return "\(stem)-\(number).log"
    }

    /// The incident files, oldest first (their names start with the UTC time).
    public func list() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var entries: [Entry] = []
        for name in names where name.hasSuffix(".log") {
            var status = stat()
            guard stat(directory + "/" + name, &status) == 0 else { continue }
            entries.append(Entry(name: name, bytes: Int(status.st_size)))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The beginning of a file, enough for its header (``IncidentHeader``).
    public func header(of name: String) -> IncidentHeader? {
        let fd = open(directory + "/" + name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return IncidentHeader(parsing: buffer.prefix(count))
    }

    private func applyBound(keeping newest: String) -> [String] {
        var entries = list()
        var total = entries.reduce(0) { $0 + $1.bytes }
        var removed: [String] = []
        while total > maxBytes, let oldest = entries.first, oldest.name != newest {
            if unlink(directory + "/" + oldest.name) == 0 { removed.append(oldest.name) }
            total -= oldest.bytes
            entries.removeFirst()
        }
        return removed
    }
}
