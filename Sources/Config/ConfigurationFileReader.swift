#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the configuration file, and when it cannot, says why in terms an installer can act on.
///
/// POSIX calls rather than Foundation, because the cause (`errno`) and the file's owner and mode
/// are what make "permission denied" fixable: the daemon runs as its own user under systemd.
enum ConfigurationFileReader {
    /// Larger than any sensible configuration; guards against being pointed at `/dev/zero`.
    static let maximumSize = 1 << 20

    /// The file's text, or a message saying why it cannot be had.
    static func contents(ofFile path: String) -> Result<String, FileProblem> {
        guard !path.isEmpty else { return .failure(FileProblem(message: "no configuration file given (the path is empty)")) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(FileProblem(message: openFailure(path: path, error: errno))) }
        defer { close(descriptor) }

        var information = stat()
        if fstat(descriptor, &information) == 0, information.st_mode & S_IFMT == S_IFDIR {
            return .failure(FileProblem(message: "cannot read the configuration: this is a directory, not a file"))
        }

        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(FileProblem(message: "cannot read the configuration: \(describe(errno))"))
            }
            bytes += buffer[0..<count]
            guard bytes.count <= maximumSize else {
                let message = "cannot read the configuration: larger than \(maximumSize) bytes, not a configuration file"
                return .failure(FileProblem(message: message))
            }
        }
        guard isValidUTF8(bytes) else {
            return .failure(FileProblem(message: "cannot read the configuration: the file is not UTF-8 text"))
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// Why a file could not be read, without its path (the error adds it).
    struct FileProblem: Error {
        let message: String
    }

    /// Decoding alone would turn bad bytes into U+FFFD silently; TOML files must be UTF-8.
    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func openFailure(path: String, error: Int32) -> String {
        switch error {
        case ENOENT:
            let directory = parentDirectory(of: path)
            var information = stat()
            if stat(directory, &information) != 0 {
                return "cannot read the configuration: the file does not exist, nor does its directory \(directory)"
            }
            return "cannot read the configuration: the file does not exist"
        case EACCES:
            return "cannot read the configuration: permission denied for \(currentUser())" + ownershipNote(path: path)
        case ENOTDIR:
            return "cannot read the configuration: a part of the path is not a directory"
        default:
            return "cannot read the configuration: \(describe(error))"
        }
    }

    /// `; the file is owned by root:smallbmsd with mode 0640`, or what stops us from even seeing that.
    private static func ownershipNote(path: String) -> String {
        var information = stat()
        guard stat(path, &information) == 0 else {
            return "; a directory on the path is not searchable by that user"
        }
        let owner = userName(information.st_uid)
        let group = groupName(information.st_gid)
        let mode = String(information.st_mode & 0o7777, radix: 8)
        let paddedMode = String(repeating: "0", count: max(0, 4 - mode.count)) + mode
        return "; the file is owned by \(owner):\(group) with mode \(paddedMode)"
    }

    /// `user smallbmsd (uid 998), group smallbmsd (gid 998)`.
    private static func currentUser() -> String {
        let uid = geteuid(), gid = getegid()
        return "user \(userName(uid)) (uid \(uid)), group \(groupName(gid)) (gid \(gid))"
    }

    private static func userName(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return String(uid)
        }
        return String(cString: name)
    }

    private static func groupName(_ gid: gid_t) -> String {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name else {
            return String(gid)
        }
        return String(cString: name)
    }

    private static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func describe(_ error: Int32) -> String {
        strerror(error).map { String(cString: $0).lowercased() } ?? "error \(error)"
    }
}
