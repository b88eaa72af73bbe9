#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file replaced whole: a reader (node_exporter, a dashboard) sees the previous content or the
/// next, never half of one, and a power cut leaves one of the two, never an empty file.
public enum AtomicFile {
    /// Writes `bytes` to `path.tmp` in the same directory, fsyncs it, renames it over `path`,
    /// then fsyncs the directory. `what` names the file in errors (`the Prometheus textfile`);
    /// `permissionHint` says how an installer grants write access to its directory.
    public static func replace(
        _ path: String, with bytes: [UInt8], mode: mode_t = 0o644, what: String, permissionHint: String
    ) throws(HardwareError) {
        let temporaryPath = path + ".tmp"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw failure(path, temporaryPath, step: "create", errno: errno, what: what, permissionHint: permissionHint)
        }
        // open() applies the umask; a reader running as another user needs the mode as asked.
        _ = fchmod(fd, mode)
        var problem: (step: String, errno: Int32)?
        let written = bytes.withUnsafeBytes { DescriptorWriter.writeAll(fd, $0, whenFull: .giveUp) }
        if let error = written {
            problem = ("write", error)
        } else if fsync(fd) != 0 {
            // Without it, a power cut after the rename can leave an empty file in place.
            problem = ("flush", errno)
        }
        if close(fd) != 0, problem == nil { problem = ("close", errno) }
        if problem == nil, rename(temporaryPath, path) != 0 { problem = ("rename", errno) }
        if let problem {
            _ = unlink(temporaryPath)
            throw failure(path, temporaryPath, step: problem.step, errno: problem.errno, what: what, permissionHint: permissionHint)
        }
        let directory = directoryName(of: path)
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            // Best effort: makes the rename itself durable.
            _ = fsync(directoryFD)
            _ = close(directoryFD)
        }
    }

    private static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    private static func failure(
        _ path: String, _ file: String, step: String, errno error: Int32, what: String, permissionHint: String
    ) -> HardwareError {
        let directory = directoryName(of: path)
        let why: String
        switch error {
        case ENOENT where step == "create": why = "directory \(directory) does not exist"
        case ENOTDIR: why = "\(directory) is not a directory"
        case EACCES, EPERM: why = "permission denied (\(permissionHint))"
        case EROFS: why = "\(directory) is on a read-only file system (\(permissionHint))"
        case ENOSPC, EDQUOT: why = "no space left on the file system of \(directory)"
        case ELOOP: why = "\(file) is a symbolic link, which is refused (remove it)"
        default: why = HardwareError.describe(errno: error)
        }
        return HardwareError("cannot write \(what) \(path): \(step) \(file): \(why)", errno: error)
    }
}
