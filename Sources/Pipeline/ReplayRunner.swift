import BMSCore
import M8Bus

/// Runs the rule core over a replay log in virtual time: no sleeping, and every timer fires at
/// the exact instant it is due, also between two lines of the log.
public struct ReplayRunner: Sendable {
    private var bus: DecodingController<M8InputDecoder>
    /// One decoder per source whose raw bytes the log carries (`T @vedirect ...`), made at first use.
    private var sourceDecoders: [RecordedSource: any InputDecoder] = [:]
    private var inputs: [Controller.Input] = []
    private var parser = ReplayLogParser()
    private var deadline: Instant?
    private var now = Instant.origin
    /// Lines read so far, blank and comment lines included.
    public private(set) var linesRead = 0

    /// A replay with every output off at `T = 0`.
    public init(settings: Settings) {
        bus = DecodingController(settings: settings, start: .origin)
        deadline = bus.evaluate(at: .origin).nextDeadline
    }

    /// The bus counters so far (good, bad, repeated, foreign sentences).
    public var counters: BusCounters { bus.decoder.counters }
    /// Sentences from batteries above the configured count.
    public var foreignBatterySentences: Int { bus.controller.foreignBatterySentences }
    /// The time of the latest line.
    public var time: Instant { now }

    /// Runs one line of the log; every output change it causes (timers first) goes to `emit`.
    public mutating func run<Line: Collection>(line: Line, emit: (OutputChange) -> Void) throws(ReplayLogError)
    where Line.Element == UInt8 {
        linesRead += 1
        guard let event = try parser.parse(line: line) else { return }
        advance(to: event.time, emit: emit)
        let decision: Decision
        switch event.kind {
        case .bus(let bytes):
            decision = bus.receive(bytes + [UInt8(ascii: "\n")], at: event.time)
        case .remote(let on):
            decision = bus.handle(.remote(on: on), at: event.time)
        case .stateOfCharge(let percent):
            decision = bus.handle(.stateOfCharge(percent: percent), at: event.time)
        case .sourceBytes(let source, let bytes):
            decision = receive(bytes, from: source, at: event.time)
        case .tick:
            decision = bus.evaluate(at: event.time)
        }
        take(decision, emit: emit)
    }

    /// Runs every line of a whole log held in memory.
    public mutating func run(log bytes: [UInt8], emit: (OutputChange) -> Void) throws(ReplayLogError) {
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            try run(line: bytes[start..<end], emit: emit)
            start = end + 1
        }
    }

    private mutating func receive(_ bytes: [UInt8], from source: RecordedSource, at time: Instant) -> Decision {
        if source == .m8 { return bus.receive(bytes, at: time) }
        var decoder = sourceDecoders[source] ?? source.makeDecoder()
        inputs.removeAll(keepingCapacity: true)
        decoder.decode(bytes, into: &inputs)
        sourceDecoders[source] = decoder
        return bus.handle(inputs, at: time)
    }

    private mutating func advance(to time: Instant, emit: (OutputChange) -> Void) {
        while let due = deadline, due <= time {
            take(bus.evaluate(at: due), emit: emit)
        }
        now = time
    }

    private mutating func take(_ decision: Decision, emit: (OutputChange) -> Void) {
        decision.changes.forEach(emit)
        deadline = decision.nextDeadline
    }
}

/// How `replay` prints an output change.
public enum ReplayFormat: Sendable {
    /// `  45.200  PRE-ALARM on: battery 1 cell 2 3.09 V < 3.10 V`
    case text
    /// `{"t": 45.200, "output": "prealarm", "state": "on", "reason": "..."}`
    case json

    /// One line (without the newline) for `change`.
    public func line(for change: OutputChange) -> String {
        let t = millisecondsText(change.at.sinceOrigin)
        switch self {
        case .text:
            let padding = String(repeating: " ", count: max(0, 10 - t.count))
            return "\(padding)\(t)  \(change.journalText)"
        case .json:
            return "{\"t\": \(t), \"output\": \"\(change.output.rawValue)\", \"state\": \"\(change.state.rawValue)\", \"reason\": \(jsonString(change.reason.text))}"
        }
    }
}

/// `45.200` for 45.2 s: seconds with exactly three decimals.
public func millisecondsText(_ duration: Duration) -> String {
    let milliseconds = duration.wholeMilliseconds
    let fraction = milliseconds % 1000
    return "\(milliseconds / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
}

/// A JSON string literal for `text`, quotes included.
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
