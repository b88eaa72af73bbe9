/// Turns the raw byte stream of the M8 bus adapter into sentences, whatever the chunking.
///
/// The decoder is the only gate between an untrusted serial line and the protection logic,
/// so it is strict: a sentence is delivered only if its CRC matches and every field obeys the
/// protocol table. It holds at most 160 bytes of a partial sentence (bounded memory whatever
/// the line sends), so a sentence may span any number of `feed` calls.
///
/// Decisions where the protocol document is silent:
/// - Leading zeros in decimal fields are accepted (`007` is 7). Values are range-checked while
///   the digits are accumulated, so a run of zeros of any length cannot overflow.
/// - `-0` is accepted as 0 for temperatures; a `+` sign is rejected everywhere.
/// - Flags hex digits may be upper or lower case, like the CRC.
/// - Any good-CRC sentence whose first field is not exactly `M8B` (case-sensitive) is foreign.
/// - A partial sentence dropped by `reset()` is not counted as bad: it was cut by the reopen,
///   not by the line.
public struct SentenceDecoder: Sendable {
    /// The protocol limit from `$` to the final `\n`, inclusive.
    static let maxSentenceLength = 160
    /// `$` and `\n` are never stored, so the body may use the rest of the limit.
    static let maxBodyLength = maxSentenceLength - 2
    /// Highest battery position; also sizes the repeat table.
    static let maxBattery = 20

    /// What has been delivered and discarded since the decoder was made; `reset()` keeps it.
    public private(set) var counters = BusCounters()

    /// Bytes after `$` of the sentence being collected, without the final `\n`.
    private var body: [UInt8] = []
    /// True between a `$` and the end of its sentence; false while skipping noise or the
    /// rest of an over-long sentence.
    private var collecting = false
    /// Last delivered seq per battery position (index 0 unused), -1 before the first one.
    /// Kept across `reset()` so a reopened device replaying its last sentence is still a repeat.
    private var lastSequence: [Int] = Array(repeating: -1, count: maxBattery + 1)

    /// A decoder that has seen nothing yet.
    public init() {
        body.reserveCapacity(Self.maxBodyLength)
    }

    /// Bytes of a partial sentence currently held; lets tests check that memory stays bounded.
    var bufferedByteCount: Int { body.count }

    /// Forgets a partial sentence, for when the serial device is reopened and the next bytes
    /// cannot continue what came before. Counters and last sequence numbers are kept.
    public mutating func reset() {
        body.removeAll(keepingCapacity: true)
        collecting = false
    }

    /// Consumes `bytes` and calls `deliver` once per good, non-repeated `M8B` sentence, in
    /// stream order. The closure form avoids an array per read on the daemon's hot path.
    ///
    /// The result is the same as feeding the bytes one at a time: outside a sentence only `$`
    /// matters; inside one, only `$`, `\n` and the length limit do. Runs between those are
    /// found by scanning and copied in one go, because per-byte appends were the bottleneck.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ deliver: (M8Sentence) -> Void) {
        let count = bytes.count
        var index = 0
        while index < count {
            if !collecting {
                // Noise, or the tail of an over-long sentence: skip to the next `$`.
                while index < count && bytes[index] != ASCII.dollar {
                    index += 1
                }
                guard index < count else { return }
                index += 1
                if !body.isEmpty { body.removeAll(keepingCapacity: true) }
                collecting = true
                continue
            }
            let runStart = index
            while index < count && bytes[index] != ASCII.dollar && bytes[index] != ASCII.newline {
                index += 1
            }
            if body.isEmpty && index < count && bytes[index] == ASCII.newline && index - runStart <= Self.maxBodyLength {
                // The common case: the whole sentence arrived in this read. Judge it where it
                // lies instead of copying it into `body` first; the verdict is the same.
                collecting = false
                let raw = UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[runStart..<index])
                finish(Self.judge(raw), deliver)
                index += 1
                continue
            }
            if index - runStart > Self.maxBodyLength - body.count {
                // The limit is exceeded before any terminator: give up now instead of buffering;
                // the byte at `index` (if any) is then handled as noise, so a `$` still resyncs.
                counters.bad += 1
                collecting = false
                body.removeAll(keepingCapacity: true)
                continue
            }
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            guard index < count else { return }  // sentence continues in the next chunk
            if bytes[index] == ASCII.dollar {
                // Cut short by a new sentence: the adapter restarted or bytes were lost.
                counters.bad += 1
                body.removeAll(keepingCapacity: true)
            } else {
                collecting = false
                finish(deliver)
                body.removeAll(keepingCapacity: true)
            }
            index += 1
        }
    }

    /// Convenience for tests, replay and simulators: consumes `bytes` and returns the sentences
    /// they completed.
    public mutating func feed<C: Collection>(_ bytes: C) -> [M8Sentence] where C.Element == UInt8 {
        var sentences: [M8Sentence] = []
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(UnsafeRawBufferPointer(buffer)) { sentences.append($0) }
        }
        if handled == nil {
            Array(bytes).withUnsafeBytes { buffer in
                feed(buffer) { sentences.append($0) }
            }
        }
        return sentences
    }

    /// Judges a complete body and updates counters; delivers it if it is fresh data.
    private mutating func finish(_ deliver: (M8Sentence) -> Void) {
        finish(body.withUnsafeBufferPointer { Self.judge($0) }, deliver)
    }

    /// Updates counters for a verdict; delivers the sentence if it is fresh data.
    private mutating func finish(_ outcome: Outcome, _ deliver: (M8Sentence) -> Void) {
        switch outcome {
        case .bad:
            counters.bad += 1
        case .foreign:
            counters.foreign += 1
        case .sentence(let sentence):
            if lastSequence[sentence.battery] == sentence.sequence {
                counters.repeats += 1
            } else {
                lastSequence[sentence.battery] = sentence.sequence
                counters.sentences += 1
                deliver(sentence)
            }
        }
    }

    /// The verdict on one complete body, before repeat detection (which needs decoder state).
    enum Outcome {
        case bad
        case foreign
        case sentence(M8Sentence)
    }

    /// Checks framing and CRC, then the field table. `raw` is everything between `$` and `\n`.
    static func judge(_ raw: UnsafeBufferPointer<UInt8>) -> Outcome {
        var end = raw.count
        if end > 0 && raw[end - 1] == ASCII.carriageReturn {
            end -= 1  // `\r\n` and bare `\n` are both accepted
        }
        // The checked part cannot contain `*`, so the first one must be followed by exactly
        // four hex digits and nothing else.
        guard let star = raw[0..<end].firstIndex(of: ASCII.star), end - star == 5 else {
            return .bad
        }
        var received: UInt16 = 0
        for index in (star + 1)..<end {
            guard let digit = hexValue(raw[index]) else { return .bad }
            received = received << 4 | UInt16(digit)
        }
        let checked = UnsafeBufferPointer(rebasing: raw[0..<star])
        guard CRC16.update(0xFFFF, checked) == received else { return .bad }

        var fields = FieldCursor(bytes: checked)
        guard let type = fields.next() else { return .bad }
        guard type.count == 3, checked[type.lowerBound] == ASCII.m,
              checked[type.lowerBound + 1] == ASCII.eight, checked[type.lowerBound + 2] == ASCII.b
        else {
            return .foreign
        }
        guard let sentence = parseStatus(&fields) else { return .bad }
        return .sentence(sentence)
    }

    /// Parses the `M8B` fields after the type; nil on any violation of the table, including a
    /// field count that disagrees with ncells or ntemps.
    private static func parseStatus(_ fields: inout FieldCursor) -> M8Sentence? {
        guard let battery = fields.unsigned(in: 1...maxBattery),
              let sequence = fields.unsigned(in: 0...255),
              let flags = fields.hexByte(),
              let cellCount = fields.unsigned(in: 1...16)
        else { return nil }
        var cells: [Int] = []
        cells.reserveCapacity(cellCount)
        for _ in 0..<cellCount {
            guard let millivolts = fields.unsigned(in: 0...65535) else { return nil }
            cells.append(millivolts)
        }
        guard let temperatureCount = fields.unsigned(in: 0...4) else { return nil }
        var temperatures: [Int] = []
        temperatures.reserveCapacity(temperatureCount)
        for _ in 0..<temperatureCount {
            guard let decicelsius = fields.signed(in: -400...1500) else { return nil }
            temperatures.append(decicelsius)
        }
        guard fields.isAtEnd else { return nil }  // extra fields
        return M8Sentence(
            battery: battery, sequence: sequence, flags: flags,
            cellMillivolts: cells, temperatureDecicelsius: temperatures)
    }

    /// 0...15 for an upper- or lower-case hex digit, nil otherwise.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case ASCII.zero...ASCII.nine: return byte - ASCII.zero
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// Walks the comma-separated fields of the checked part without allocating.
struct FieldCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    /// Start of the next field; nil once the last field has been handed out, so that
    /// "a," (an empty last field) and "a" (one field) stay distinguishable.
    private var position: Int?

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.position = 0
    }

    /// True when every field has been consumed.
    var isAtEnd: Bool { position == nil }

    /// The index range of the next field, possibly empty; nil if there is none.
    mutating func next() -> Range<Int>? {
        guard let start = position else { return nil }
        var end = start
        while end < bytes.count && bytes[end] != ASCII.comma {
            end += 1
        }
        position = end < bytes.count ? end + 1 : nil
        return start..<end
    }

    /// The next field as a non-empty run of decimal digits within `range`. The value is checked
    /// against the upper bound after every digit, so no digit string can overflow.
    mutating func unsigned(in range: ClosedRange<Int>) -> Int? {
        guard let field = next(), let value = Self.decimal(bytes, field, max: range.upperBound),
              range.contains(value)
        else { return nil }
        return value
    }

    /// Like `unsigned`, with an optional leading `-` (never `+`).
    mutating func signed(in range: ClosedRange<Int>) -> Int? {
        guard var field = next() else { return nil }
        var negative = false
        if !field.isEmpty && bytes[field.lowerBound] == ASCII.minus {
            negative = true
            field = (field.lowerBound + 1)..<field.upperBound
        }
        let limit = negative ? -range.lowerBound : range.upperBound
        guard limit >= 0, let magnitude = Self.decimal(bytes, field, max: limit) else { return nil }
        let value = negative ? -magnitude : magnitude
        return range.contains(value) ? value : nil
    }

    /// The next field as exactly two hex digits.
    mutating func hexByte() -> UInt8? {
        guard let field = next(), field.count == 2,
              let high = SentenceDecoder.hexValue(bytes[field.lowerBound]),
              let low = SentenceDecoder.hexValue(bytes[field.lowerBound + 1])
        else { return nil }
        return high << 4 | low
    }

    /// Value of a non-empty all-digit field, or nil if it is empty, has a non-digit, or exceeds `max`.
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, max: Int) -> Int? {
        guard !field.isEmpty else { return nil }
        var value = 0
        for index in field {
            let byte = bytes[index]
            guard byte >= ASCII.zero && byte <= ASCII.nine else { return nil }
            value = value * 10 + Int(byte - ASCII.zero)
            guard value <= max else { return nil }
        }
        return value
    }
}

/// The bytes the grammar is made of, named so the parser reads like the protocol table.
enum ASCII {
    static let dollar = UInt8(ascii: "$")
    static let star = UInt8(ascii: "*")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let m = UInt8(ascii: "M")
    static let eight = UInt8(ascii: "8")
    static let b = UInt8(ascii: "B")
}
