import EdgeIO
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

/// The status file (`[status] path`, default `/run/smallbmsd/status.json`): written by the
/// daemon, read by `smallbmsd status`.
///
/// Written atomically, so a reader sees the previous report or the next one, never half of one.
/// One writer per path: two processes writing the same path would share its `.tmp` file.
public enum StatusFile {
    /// Replaces the file at `path` with `report` as one line of JSON with sorted keys: written to
    /// `path.tmp` in the same directory, flushed to disk, then renamed over `path`.
    ///
    /// Errors name the path and the likely fix (a missing directory, permissions).
    public static func write(_ report: StatusReport, to path: String) throws(HardwareError) {
        let encoder = JSONEncoder()
        // Sorted keys for stable, diffable files; unescaped slashes so the device reads `/dev/ttyUSB0`.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(report))
        } catch {
            throw HardwareError("cannot write the status file \(path): encoding failed: \(error)")
        }
        bytes.append(UInt8(ascii: "\n"))

        let temporaryPath = path + ".tmp"
        // Mode 0644: `smallbmsd status` is run by users other than the daemon's.
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw writeError(path: path, file: temporaryPath, step: "create", errno: errno)
        }
        var failure: (step: String, errno: Int32)?
        if let error = DescriptorWriter.writeAll(fd, bytes, whenFull: .giveUp) {
            failure = ("write", error)
        } else if fsync(fd) != 0 {
            // Without fsync a power cut after the rename could leave an empty file in place.
            failure = ("flush", errno)
        }
        if close(fd) != 0, failure == nil {
            failure = ("close", errno)
        }
        if failure == nil, rename(temporaryPath, path) != 0 {
            failure = ("rename", errno)
        }
        if let failure {
            _ = unlink(temporaryPath)
            throw writeError(path: path, file: temporaryPath, step: failure.step, errno: failure.errno)
        }
        syncDirectory(of: path)
    }

    /// The report at `path` and when it was last written (wall-clock seconds since the Unix
    /// epoch, from the file's modification time), for `smallbmsd status` to judge its age.
    public static func read(path: String) throws(HardwareError) -> (report: StatusReport, modified: Double) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = errno
            switch error {
            case ENOENT:
                throw HardwareError(
                    "no status file at \(path): smallbmsd is not running (systemctl status smallbmsd), or its [status] path is another",
                    errno: error)
            case EACCES, EPERM:
                throw HardwareError("cannot read the status file \(path): permission denied", errno: error)
            default:
                throw HardwareError("cannot read the status file \(path): \(describe(error))", errno: error)
            }
        }
        defer { _ = close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let error = errno
            throw HardwareError("cannot read the status file \(path): \(describe(error))", errno: error)
        }
        let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { readDescriptor(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                let error = errno
                throw HardwareError("cannot read the status file \(path): \(describe(error))", errno: error)
            }
        }
        do {
            let report = try JSONDecoder().decode(StatusReport.self, from: Data(bytes))
            return (report, modified)
        } catch {
            throw HardwareError(
                "\(path) is not a status file this smallbmsd can read (\(decodingProblem(error))); is it another version?")
        }
    }

    // MARK: - Internals

    // Makes the rename itself durable. Best effort: on /run (tmpfs) it is free and never fails,
    // and a status file that reverts after a power cut is harmless.
    private static func syncDirectory(of path: String) {
        let directory = directoryName(of: path)
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    private static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    private static func writeError(path: String, file: String, step: String, errno error: Int32) -> HardwareError {
        let directory = directoryName(of: path)
        let why: String
        switch error {
        case ENOENT where step == "create":
            why = "directory \(directory) does not exist (the unit needs RuntimeDirectory=smallbmsd, or set [status] path to a directory that exists)"
        case ENOTDIR:
            why = "\(directory) is not a directory (check [status] path)"
        case EACCES, EPERM:
            why = "permission denied (the smallbmsd user must be able to write in \(directory); RuntimeDirectory=smallbmsd in the unit gives it that)"
        case EROFS:
            why = "\(directory) is on a read-only file system (check [status] path)"
        case ENOSPC, EDQUOT:
            why = "no space left on the file system of \(directory)"
        case ELOOP:
            why = "\(file) is a symbolic link, which is refused (remove it)"
        default:
            why = describe(error)
        }
        return HardwareError("cannot write the status file \(path): \(step) \(file): \(why)", errno: error)
    }

    private static func decodingProblem(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "key \(at(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(at(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(at(context.codingPath)) has a bad value"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ error: Int32) -> String {
        String(cString: strerror(error))
    }
}

// `StatusFile.read` and `StatusFile.write` hide the C functions inside the enum; these reach
// them without naming the C module, which differs between Glibc and Darwin.
private func readDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
