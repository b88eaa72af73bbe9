#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One captured frame of `serial-bms.txt`: its section, whether it was a request or a reply, its bytes.
public struct SerialVector: Sendable, Hashable {
    /// The section heading, without the `## ` (e.g. `JBD (syssi/esphome-jbd-bms README, ...)`).
    public var section: String
    /// `request` or `reply`.
    public var kind: String
    /// The frame's bytes.
    public var bytes: [UInt8]
}

/// Reads the shared test vectors beside the repository (`../shared/vectors/serial-bms.txt`).
public enum SerialVectors {
    /// Why the vectors could not be read, worded for whoever runs the tests.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The vector file's path, found from this source file: up to the repository root (the
    /// directory holding Package.swift), then `../shared/vectors/serial-bms.txt`.
    public static func path(filePath: String = #filePath) -> String {
        var directory = filePath
        while let slash = directory.lastIndex(of: "/") {
            directory = String(directory[..<slash])
            if access(directory + "/Package.swift", F_OK) == 0 { break }
        }
        return directory + "/../shared/vectors/serial-bms.txt"
    }

    /// Every frame of the file, in file order; throws ``Missing`` (not skipping) when the file is absent.
    public static func all() throws -> [SerialVector] {
        let file = path()
        guard let handle = fopen(file, "r") else {
            throw Missing(description: "test vectors not found at \(file): the shared vectors must be checked out beside the repository (../shared/vectors/serial-bms.txt)")
        }
        defer { fclose(handle) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count <= 0 { break }
            text += buffer[0..<count]
        }
        return parse(String(decoding: text, as: UTF8.self))
    }

    /// The frames of the sections whose heading starts with `prefix` (`JBD`, `JK`, `Daly`).
    public static func section(_ prefix: String) throws -> [SerialVector] {
        let found = try all().filter { $0.section.hasPrefix(prefix + " ") || $0.section == prefix }
        guard !found.isEmpty else {
            throw Missing(description: "no \(prefix) frames in \(path()): a section `## \(prefix) ...` with request/reply lines was expected")
        }
        return found
    }

    /// Parses the file's text: `## heading` lines open a section (consecutive ones are one heading), `request HEX...` and
    /// `reply HEX...` lines are frames (bytes separated by spaces or run together), `#` lines are comments.
    public static func parse(_ text: String) -> [SerialVector] {
        var section = ""
        var vectors: [SerialVector] = []
        var previousWasHeading = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("## ") {
                // A heading may run over several `## ` lines.
                section = previousWasHeading ? section + " " + line.dropFirst(3) : String(line.dropFirst(3))
                previousWasHeading = true
                continue
            }
            previousWasHeading = false
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let kind = words.first, kind == "request" || kind == "reply" else { continue }
            let digits = Array(words.dropFirst().joined().utf8)
            var bytes: [UInt8] = []
            var index = 0
            while index + 1 < digits.count {
                guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { break }
                bytes.append(high << 4 | low)
                index += 2
            }
            vectors.append(SerialVector(section: section, kind: String(kind), bytes: bytes))
        }
        return vectors
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
