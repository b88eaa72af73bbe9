import BMSCore
import M8Bus

/// An incident file's text: a header of `# key = value` lines (TOML values) naming the trip and,
/// as `#| ` lines, the settings in effect, then the inputs in the replay format (behaviour.md,
/// "Replay"), so that `smallbmsd replay` of the file alone reproduces the trip at its offset.
///
/// ```
/// # smallbmsd-incident = 1
/// # time = "2026-12-02T06:10:03Z"
/// # output = "load"
/// # state = "off"
/// # rule = "critical-floor"
/// # battery = 1
/// # reason = "LOAD off: battery 1 cell 2 2.40 V < 2.50 V (critical floor)"
/// # offset_s = 600.000125
/// #| [bus]
/// #| batteries = 4
/// 0.000000 remote on
/// 0.012000 $M8B,1,17,03,4,3300,3301,3299,3300,1,250*5A1B
/// ```
///
/// Readings are written as `$M8B` sentences whatever source read them, with a sequence number
/// per battery counted here (the bus decoder drops a repeated one).
public enum IncidentFile {
    /// The first line: tells an incident from a hand-made log, and its format's version.
    public static let firstLine = "# smallbmsd-incident = 1"
    /// The prefix of the embedded settings' lines.
    public static let settingsPrefix = "#| "

    /// The whole file; `settingsText` is the configuration's effective settings (TOML).
    public static func render(_ incident: Incident, settingsText: String) -> [UInt8] {
        var text = firstLine + "\n"
        let trip = incident.trips[0]
        text += "# time = \"\(UTCTime(epochSeconds: incident.wallClockSeconds).isoText)\"\n"
        text += "# output = \"\(trip.output.rawValue)\"\n"
        text += "# state = \"\(trip.state.rawValue)\"\n"
        text += "# rule = \"\(trip.reason.rule.rawValue)\"\n"
        if let battery = trip.reason.battery { text += "# battery = \(battery)\n" }
        text += "# reason = \(jsonString(trip.journalText))\n"
        text += "# offset_s = \(microsecondsText(trip.at - incident.start))\n"
        for later in incident.trips.dropFirst() {
            let line = "\(microsecondsText(later.at - incident.start)) \(later.output.rawValue) \(later.state.rawValue) \(later.reason.rule.rawValue): \(later.journalText)"
            text += "# also = \(jsonString(line))\n"
        }
        text += "# The settings in effect at the trip; `smallbmsd replay` of this file alone applies them.\n"
        for line in settingsText.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            text += settingsPrefix + line + "\n"
        }
        var bytes = Array(text.utf8)
        bytes.reserveCapacity(bytes.count + incident.inputs.endOffset * 2)
        if let on = incident.remoteAtStart { append("0.000000 remote \(on ? "on" : "off")\n", to: &bytes) }
        if let percent = incident.stateOfChargeAtStart { append("0.000000 soc \(percent)\n", to: &bytes) }
        var sequences: [Int: Int] = [:]
        var offset = 0
        while offset < incident.inputs.endOffset {
            let at = incident.inputs.instant(at: offset)
            let input = incident.inputs.input(at: offset)
            offset = incident.inputs.offset(after: offset)
            append(microsecondsText(at - incident.start), to: &bytes)
            switch input {
            case .reading(let reading):
                let sequence = sequences[reading.battery, default: 0]
                sequences[reading.battery] = (sequence + 1) % 256
                let sentence = SentenceEncoder.encode(M8Sentence(
                    battery: reading.battery, sequence: sequence, flags: reading.flags.rawValue,
                    cellMillivolts: reading.cellMillivolts, temperatureDecicelsius: reading.temperatureDecicelsius))
                bytes.append(UInt8(ascii: " "))
                // The encoder ends the sentence with CR LF; the log's lines end with LF alone.
                bytes.append(contentsOf: sentence.utf8.prefix { $0 != UInt8(ascii: "\r") })
                bytes.append(UInt8(ascii: "\n"))
            case .remote(let on):
                append(" remote \(on ? "on" : "off")\n", to: &bytes)
            case .stateOfCharge(let percent):
                append(" soc \(percent)\n", to: &bytes)
            }
        }
        return bytes
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
    }

    /// `612.345678` for a duration: seconds with six decimals (the loop's instants are finer
    /// than the millisecond replay prints, so that rounding never moves a timer past an input).
    public static func microsecondsText(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micro = attoseconds / 1_000_000_000_000
        let fraction = String(micro)
        return "\(seconds)." + String(repeating: "0", count: max(0, 6 - fraction.count)) + fraction
    }
}
