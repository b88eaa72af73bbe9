import BMSCore

/// One line of a replay log, parsed.
public struct ReplayEvent: Sendable, Hashable {
    /// What happened at `time`.
    public enum Kind: Sendable, Hashable {
        /// Bytes received on the bus, exactly as on the wire (a line ending is added when fed).
        case bus([UInt8])
        /// The remote input changed.
        case remote(on: Bool)
        /// A state of charge from the VE.Direct monitor, in percent.
        case stateOfCharge(percent: Double)
        /// Bytes a source's device sent, as they arrived, for that source's decoder
        /// (`T @vedirect 0d0a534f43...`: hex, see ``RecordedSource``).
        case sourceBytes(RecordedSource, [UInt8])
        /// Nothing happened: time advances to `time` and due timers fire.
        case tick
    }

    /// Seconds since the start of the log.
    public var time: Instant
    /// The line's number in the file, 1-based.
    public var lineNumber: Int
    public var kind: Kind
}

/// Why a replay log cannot be read: the line and what is wrong with it.
public struct ReplayLogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending line's number, 1-based.
    public var lineNumber: Int
    /// What is wrong and what is allowed.
    public var message: String

    public var description: String { "line \(lineNumber): \(message)" }
}

/// Reads a replay log line by line (behaviour.md, "Replay"):
/// `T $M8B,...*CRC`, `T remote on|off`, `T soc PERCENT`, `T @SOURCE HEX`, `T`; blank lines and
/// `#` comments skipped.
///
/// Works on bytes, not text: a sentence with garbage bytes in it must reach the decoder as it
/// was on the wire, to be counted as bad, not stop the replay.
public struct ReplayLogParser: Sendable {
    private var lastTime = Instant.origin
    private var lineNumber = 0

    public init() {}

    /// Parses the next line; nil for a blank or comment line.
    public mutating func parse<Line: Collection>(line: Line) throws(ReplayLogError) -> ReplayEvent?
    where Line.Element == UInt8 {
        lineNumber += 1
        var bytes = Array(line)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        let content = bytes.trimmingWhitespace()
        if content.isEmpty || content.first == UInt8(ascii: "#") { return nil }

        let timeEnd = content.firstIndex(where: \.isWhitespace) ?? content.endIndex
        let timeText = content[content.startIndex..<timeEnd]
        guard let sinceStart = Self.parseSeconds(timeText) else {
            throw fail("\"\(Self.printable(timeText))\" is not a time: expected seconds since the start of the log, a non-negative decimal such as 12 or 12.345")
        }
        let time = Instant(sinceOrigin: sinceStart)
        guard time >= lastTime else {
            throw fail("time \(Self.printable(timeText)) goes backwards (the previous line was at \(lastTime.seconds) s); times must never decrease")
        }
        lastTime = time
        let rest = content[timeEnd...].trimmingWhitespace()

        if rest.isEmpty { return event(time, .tick) }
        if rest.first == UInt8(ascii: "$") { return event(time, .bus(Array(rest))) }
        if rest.first == UInt8(ascii: "@") { return event(time, try sourceBytes(rest.dropFirst())) }
        let words = rest.split(whereSeparator: \.isWhitespace).map { String(decoding: $0, as: UTF8.self) }
        switch words.first {
        case "remote":
            guard words.count == 2, let state = words.last, state == "on" || state == "off" else {
                throw fail("expected \"remote on\" or \"remote off\", found \"\(Self.printable(rest))\"")
            }
            return event(time, .remote(on: state == "on"))
        case "soc":
            guard words.count == 2, let percent = Double(words[1]), percent.isFinite, (0...100).contains(percent) else {
                throw fail("expected \"soc PERCENT\" with a percentage from 0 to 100, found \"\(Self.printable(rest))\"")
            }
            return event(time, .stateOfCharge(percent: percent))
        default:
            throw fail("unknown word \"\(Self.printable(words.first.map { Array($0.utf8) } ?? []))\": expected a bus sentence starting with $, \"remote on\", \"remote off\", \"soc PERCENT\", \"@SOURCE HEX\", or nothing after the time")
        }
    }

    /// `vedirect 0d0a...`: a source's name, then its bytes in hex (pairs of digits, spaces allowed).
    private func sourceBytes<Words: Collection>(_ text: Words) throws(ReplayLogError) -> ReplayEvent.Kind
    where Words.Element == UInt8, Words.SubSequence: Collection {
        let nameEnd = text.firstIndex(where: \.isWhitespace) ?? text.endIndex
        let name = String(decoding: text[text.startIndex..<nameEnd], as: UTF8.self)
        guard let source = RecordedSource(rawValue: name) else {
            let known = RecordedSource.allCases.map { "@\($0.rawValue)" }.joined(separator: ", ")
            throw fail("unknown source \"@\(Self.printable(Array(name.utf8)))\": expected one of \(known), then its bytes in hex")
        }
        var bytes: [UInt8] = []
        var high: UInt8?
        for byte in text[nameEnd...] where !byte.isWhitespace {
            guard let nibble = Self.hexValue(byte) else {
                throw fail("@\(name) expects its bytes in hex (0-9, a-f), found \"\(Self.printable([byte]))\"")
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil, !bytes.isEmpty else {
            throw fail("@\(name) expects its bytes as pairs of hex digits, at least one byte")
        }
        return .sourceBytes(source, bytes)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private func event(_ time: Instant, _ kind: ReplayEvent.Kind) -> ReplayEvent {
        ReplayEvent(time: time, lineNumber: lineNumber, kind: kind)
    }

    private func fail(_ message: String) -> ReplayLogError {
        ReplayLogError(lineNumber: lineNumber, message: message)
    }

    /// Exact decimal seconds (`12`, `12.5`, `0.001`) as a duration; nil for anything else.
    static func parseSeconds<Digits: Collection>(_ text: Digits) -> Duration? where Digits.Element == UInt8 {
        var whole: Int64 = 0
        var attoseconds: Int64 = 0
        var scale: Int64 = 100_000_000_000_000_000
        var wholeDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in text {
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= 18 else { return nil }
                attoseconds += digit * scale
                scale /= 10
            } else {
                wholeDigits += 1
                // About 31,000 years: plenty for a log (an Instant holds about 292; later times are held there).
                guard wholeDigits <= 12 else { return nil }
                whole = whole * 10 + digit
            }
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0 else { return nil }
        return Duration(secondsComponent: whole, attosecondsComponent: attoseconds)
    }

    /// Text for an error message: printable ASCII as is, other bytes as `\xNN`, cut at 60 bytes.
    static func printable<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text = ""
        for byte in bytes.prefix(60) {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\"") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                text += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return bytes.count > 60 ? text + "..." : text
    }
}

extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0D || self == 0x0B || self == 0x0C }
}

extension Collection where Element == UInt8, SubSequence: Collection {
    func trimmingWhitespace() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        var last = first
        var index = first
        while index != endIndex {
            if !self[index].isWhitespace { last = index }
            formIndex(after: &index)
        }
        return self[first...last]
    }
}
