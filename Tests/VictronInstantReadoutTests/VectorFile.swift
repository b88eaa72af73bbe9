import Foundation
import Testing

/// `shared/vectors/victron-instant-readout.txt`, read at test time: the values to expect come from
/// the file, not from these tests.
struct VectorFile {
    /// Section A: a decrypted Smart Lithium payload and the values it decodes to.
    struct SmartLithiumPayload {
        var line: Int
        var payload: [UInt8]
        var flags: UInt32
        /// Nil where the file says `-` (not given).
        var errorCode: UInt16?
        var balancer: String
        var temperatureCelsius: Int
        var batteryMillivolts: Int
        /// Nil where the file says `None` (not available).
        var cellMillivolts: [Int?]
    }

    /// Section B: a captured advertisement, its key, and what the file's comments say about it.
    struct CapturedAdvertisement {
        var line: Int
        /// The `# N. ...` title above it.
        var title: String
        var advertisement: [UInt8]
        var key: String
        /// From `# decrypts to HEX`, when given.
        var plaintext: [UInt8]?
        /// The comment text after `decoded:`, e.g. `SoC 50.0 %, 12.53 V, 0 A, ...`.
        var decoded: String?
    }

    var smartLithium: [SmartLithiumPayload] = []
    var captured: [CapturedAdvertisement] = []

    static let path: String = {
        // Tests/VictronInstantReadoutTests/VectorFile.swift -> the repository root, then ../shared.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/vectors/victron-instant-readout.txt").path
    }()

    /// The parsed file; a missing or unreadable file, or a line that does not parse, is a test
    /// failure that names the file and line (never a skip).
    static func load() throws -> VectorFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("the vector file \(path) is missing or unreadable: these tests need the shared vectors beside the repository")
            throw VectorFileError.missing(path)
        }
        return try parse(text)
    }

    static func parse(_ text: String) throws -> VectorFile {
        var file = VectorFile()
        var section = ""
        var title = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let number = index + 1
            if line.hasPrefix("## ") {
                section = String(line.dropFirst(3).prefix(1))
                continue
            }
            if line.hasPrefix("#") {
                let comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if section == "B", let first = comment.first, first.isNumber, comment.dropFirst().hasPrefix(".") {
                    title = comment
                } else if section == "B", comment.hasPrefix("decrypts to "), !file.captured.isEmpty {
                    let hex = comment.dropFirst("decrypts to ".count).prefix { $0.isHexDigit }
                    file.captured[file.captured.count - 1].plaintext = try bytes(String(hex), line: number)
                    if let range = comment.range(of: "decoded:") {
                        file.captured[file.captured.count - 1].decoded = comment[range.upperBound...].trimmingCharacters(in: .whitespaces)
                    }
                } else if section == "B", let range = comment.range(of: "decoded:"), !file.captured.isEmpty {
                    file.captured[file.captured.count - 1].decoded = comment[range.upperBound...].trimmingCharacters(in: .whitespaces)
                } else if section == "B", !file.captured.isEmpty, file.captured[file.captured.count - 1].decoded != nil,
                          !comment.isEmpty, !(comment.first?.isNumber ?? false) {
                    // A continuation line of the decoded values.
                    file.captured[file.captured.count - 1].decoded! += " " + comment
                }
                continue
            }
            if line.isEmpty { continue }
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            switch section {
            case "A":
                guard words.count == 14 else { throw VectorFileError.unparsed(number, line) }
                guard let flags = UInt32(words[1].dropFirst(2), radix: 16), words[1].hasPrefix("0x"),
                      let temperature = Int(words[4])
                else { throw VectorFileError.unparsed(number, line) }
                file.smartLithium.append(SmartLithiumPayload(
                    line: number, payload: try bytes(words[0], line: number), flags: flags,
                    errorCode: words[2] == "-" ? nil : UInt16(words[2]), balancer: words[3], temperatureCelsius: temperature,
                    batteryMillivolts: try millivolts(words[5], line: number),
                    cellMillivolts: try words[6...].map { $0 == "None" ? nil : try millivolts($0, line: number) }))
            case "B":
                guard words.count == 2 else { throw VectorFileError.unparsed(number, line) }
                if words[0] == "adv" {
                    file.captured.append(CapturedAdvertisement(
                        line: number, title: title, advertisement: try bytes(words[1], line: number), key: "", plaintext: nil, decoded: nil))
                } else if words[0] == "key", !file.captured.isEmpty {
                    file.captured[file.captured.count - 1].key = words[1]
                } else {
                    throw VectorFileError.unparsed(number, line)
                }
            default:
                throw VectorFileError.unparsed(number, line)
            }
        }
        return file
    }

    /// Hex digits to bytes.
    static func bytes(_ hex: String, line: Int) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw VectorFileError.unparsed(line, hex) }
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw VectorFileError.unparsed(line, hex)
            }
            return byte
        }
    }

    /// A decimal like `13.24` or `-50.0` scaled by 1000, exactly (no floating point).
    static func millivolts(_ text: String, line: Int) throws -> Int {
        try scaled(text, by: 3, line: line)
    }

    /// A decimal scaled by 10^digits, exactly.
    static func scaled(_ text: String, by digits: Int, line: Int) throws -> Int {
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]), parts.count == 1 || parts[1].count <= digits else {
            throw VectorFileError.unparsed(line, text)
        }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count < digits { fraction += "0" }
        guard let part = Int(fraction.isEmpty ? "0" : fraction) else { throw VectorFileError.unparsed(line, text) }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        return (negative ? -1 : 1) * (whole * scale + part)
    }

    /// The number before `unit` in a decoded comment (`SoC 50.0 %` with unit `%`), scaled by 10^digits.
    static func value(in decoded: String, unit: String, scaledBy digits: Int, line: Int) throws -> Int? {
        for item in decoded.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let words = item.split(separator: " ").map(String.init)
            if let position = words.firstIndex(of: unit), position > 0 {
                return try scaled(words[position - 1], by: digits, line: line)
            }
        }
        return nil
    }
}

enum VectorFileError: Error, CustomStringConvertible {
    case missing(String)
    case unparsed(Int, String)

    var description: String {
        switch self {
        case .missing(let path): return "vector file \(path) missing"
        case .unparsed(let line, let text): return "victron-instant-readout.txt line \(line) does not parse: \(text)"
        }
    }
}

/// Hex text for readable expectations.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
