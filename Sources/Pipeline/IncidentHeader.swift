/// What an incident file's header says (see ``IncidentFile``): read back by `smallbmsd incidents`
/// and by `smallbmsd replay`, which takes its thresholds from ``settingsText``.
public struct IncidentHeader: Sendable, Hashable {
    /// `time`: the first trip's UTC time, as written (`2026-12-02T06:10:03Z`).
    public var time: String = ""
    /// `output`, `state`, `rule` of the first trip (`load`, `off`, `critical-floor`).
    public var output: String = ""
    public var state: String = ""
    public var rule: String = ""
    /// `battery`, when the trip names one.
    public var battery: Int?
    /// `reason`: the journal's line for the trip.
    public var reason: String = ""
    /// `offset_s`: seconds from the file's `T = 0` to the trip, as written.
    public var offsetText: String = ""
    /// `also`: the later trips of the same incident, one text each.
    public var laterTrips: [String] = []
    /// The embedded settings (TOML), the `#| ` lines without their prefix.
    public var settingsText: String = ""

    /// The header of `bytes` (a whole file, or its beginning); nil when they do not start with
    /// ``IncidentFile/firstLine`` (a hand-made replay log, say).
    public init?<Bytes: Collection>(parsing bytes: Bytes) where Bytes.Element == UInt8 {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).makeIterator()
        guard let first = lines.next(), String(decoding: first, as: UTF8.self) == IncidentFile.firstLine else { return nil }
        var settings: [Substring] = []
        while let raw = lines.next() {
            let line = String(decoding: raw, as: UTF8.self)
            guard line.hasPrefix("#") else { break }
            if line.hasPrefix(IncidentFile.settingsPrefix) {
                settings.append(line.dropFirst(IncidentFile.settingsPrefix.count))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[line.index(after: line.startIndex)..<equals].trimmingCharacters()
            let value = line[line.index(after: equals)...].trimmingCharacters()
            switch key {
            case "time": time = Self.unquoted(value)
            case "output": output = Self.unquoted(value)
            case "state": state = Self.unquoted(value)
            case "rule": rule = Self.unquoted(value)
            case "battery": battery = Int(value)
            case "reason": reason = Self.unquoted(value)
            case "offset_s": offsetText = value
            case "also": laterTrips.append(Self.unquoted(value))
            default: break
            }
        }
        settingsText = settings.joined(separator: "\n") + (settings.isEmpty ? "" : "\n")
    }

    /// The text of a TOML basic string as ``jsonString(_:)`` writes it.
    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return value }
        var out = ""
        var escaping = false
        var scalars = value.unicodeScalars.dropFirst().dropLast().makeIterator()
        while let scalar = scalars.next() {
            if escaping {
                escaping = false
                switch scalar {
                case "n": out += "\n"
                case "r": out += "\r"
                case "t": out += "\t"
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let digit = scalars.next() { hex.unicodeScalars.append(digit) } }
                    if let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) { out.unicodeScalars.append(decoded) }
                default: out.unicodeScalars.append(scalar)
                }
            } else if scalar == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
