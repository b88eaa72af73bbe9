// A second, deliberately naive reading of m8-serial-protocol.md, written without looking at how
// SentenceDecoder is built: the whole stream is in memory, so sentences are simply cut out of it
// and judged with strings and arrays. The fuzz target demands that the decoder agrees with it.
//
// Where the protocol document is silent, this reading takes a stated position (each one marked
// SILENT below); the decoder's header comment takes the same ones.

@testable import M8Bus

/// What the reference reading makes of a whole stream.
struct ReferenceOutcome: Equatable {
    var sentences: [M8Sentence] = []
    var counters = BusCounters()
}

enum ReferenceReading {
    /// Longest sentence from `$` to its final `\n`, both included.
    static let maximumSentenceBytes = 160

    /// Reads `stream`. `cuts` are offsets where the receiver was reset (the serial device was
    /// reopened): a partial sentence there is forgotten without being counted, while counters and
    /// the last seq of each battery carry on.
    static func read(_ stream: [UInt8], cuts: [Int] = []) -> ReferenceOutcome {
        var outcome = ReferenceOutcome()
        var lastSeq: [Int: Int] = [:]
        var spanStart = 0
        for spanEnd in cuts.sorted() + [stream.count] where spanEnd >= spanStart {
            readSpan(stream, spanStart..<spanEnd, into: &outcome, lastSeq: &lastSeq)
            spanStart = spanEnd
        }
        return outcome
    }

    private static func readSpan(
        _ stream: [UInt8], _ span: Range<Int>, into outcome: inout ReferenceOutcome, lastSeq: inout [Int: Int]
    ) {
        let dollar = UInt8(ascii: "$"), newline = UInt8(ascii: "\n")
        // "Bytes outside a sentence (noise, a half sentence at start-up) are skipped": only a `$`
        // starts something.
        var start = stream[span].firstIndex(of: dollar)
        while let sentenceStart = start {
            // The sentence runs to the first `$` or `\n` after its `$`, or to the end of the span.
            let bodyStart = sentenceStart + 1
            let stop = stream[bodyStart..<span.upperBound].firstIndex { $0 == dollar || $0 == newline }
            let bodyEnd = stop ?? span.upperBound
            let body = Array(stream[bodyStart..<bodyEnd])
            let nextDollar = stream[bodyStart..<span.upperBound].firstIndex(of: dollar)

            if 1 + body.count + 1 > maximumSentenceBytes {
                // "A sentence longer than 160 bytes ... is discarded; the receiver looks for the next $."
                // SILENT: whether it is counted. It is counted bad (once), as soon as it is known
                // to be too long, i.e. even when its end never arrives.
                outcome.counters.bad += 1
                start = nextDollar
                continue
            }
            guard let stop else { return }  // incomplete at the end of the span: nothing yet
            if stream[stop] == dollar {
                // "$ ... a receiver resynchronises on it". SILENT: whether the cut sentence is
                // counted. It is counted bad: it is a sentence that did not arrive whole.
                outcome.counters.bad += 1
                start = stop
                continue
            }
            judge(body, into: &outcome, lastSeq: &lastSeq)
            start = nextDollar
        }
    }

    /// Judges one complete sentence: `body` is everything between `$` and `\n`.
    private static func judge(_ rawBody: [UInt8], into outcome: inout ReferenceOutcome, lastSeq: inout [Int: Int]) {
        var body = rawBody
        // "`\r\n` ... a bare `\n` is accepted too": one `\r` before the `\n` belongs to the terminator.
        if body.last == UInt8(ascii: "\r") { body.removeLast() }
        // "`*` end of the checked part", then "exactly four hex digits".
        guard let star = body.firstIndex(of: UInt8(ascii: "*")) else {
            outcome.counters.bad += 1
            return
        }
        let checked = Array(body[..<star])
        let crcText = String(decoding: body[(star + 1)...], as: UTF8.self)
        guard crcText.utf8.count == 4, crcText.utf8.allSatisfy(isHexDigit), let received = UInt16(crcText, radix: 16),
              received == referenceCRC(checked)
        else {
            outcome.counters.bad += 1
            return
        }
        let fields = checked.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(Array.init)
        // "A sentence of another type ($M8X,...) with a good CRC is ignored and counted".
        // SILENT: what a type may look like. Anything but exactly `M8B` (case-sensitive) is
        // another type, including an empty one.
        guard fields[0] == Array("M8B".utf8) else {
            outcome.counters.foreign += 1
            return
        }
        guard let sentence = statusSentence(fields) else {
            outcome.counters.bad += 1
            return
        }
        // "A sentence whose seq equals the previous seq of the same battery is a repeat".
        if lastSeq[sentence.battery] == sentence.sequence {
            outcome.counters.repeats += 1
        } else {
            lastSeq[sentence.battery] = sentence.sequence
            outcome.counters.sentences += 1
            outcome.sentences.append(sentence)
        }
    }

    /// The field table, checked field by field; nil on any violation.
    private static func statusSentence(_ fields: [[UInt8]]) -> M8Sentence? {
        // type, battery, seq, flags, ncells: at least five fields before the cells.
        guard fields.count >= 5,
              let battery = decimal(fields[1], in: 1...20),
              let seq = decimal(fields[2], in: 0...255),
              let flags = twoHexDigits(fields[3]),
              let ncells = decimal(fields[4], in: 1...16),
              fields.count >= 5 + ncells + 1
        else { return nil }
        var cells: [Int] = []
        for field in fields[5..<(5 + ncells)] {
            guard let millivolts = decimal(field, in: 0...65535) else { return nil }
            cells.append(millivolts)
        }
        // "a count that disagrees with the number of fields" is bad, in either direction.
        guard let ntemps = decimal(fields[5 + ncells], in: 0...4), fields.count == 5 + ncells + 1 + ntemps else {
            return nil
        }
        var temps: [Int] = []
        for field in fields[(6 + ncells)...] {
            guard let decicelsius = signedDecimal(field, in: -400...1500) else { return nil }
            temps.append(decicelsius)
        }
        return M8Sentence(
            battery: battery, sequence: seq, flags: flags, cellMillivolts: cells, temperatureDecicelsius: temps)
    }

    /// "decimal": one or more ASCII digits, nothing else. SILENT: leading zeros; accepted.
    private static func decimal(_ field: [UInt8], in range: ClosedRange<Int>) -> Int? {
        guard !field.isEmpty, field.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        // Saturate instead of overflowing: anything above 10^7 is out of every range anyway.
        var value = 0
        for digit in field {
            value = min(value * 10 + Int(digit - UInt8(ascii: "0")), 10_000_000)
        }
        return range.contains(value) ? value : nil
    }

    /// "signed decimal": an optional `-` then a decimal. SILENT: `+` (refused) and `-0` (accepted, 0).
    private static func signedDecimal(_ field: [UInt8], in range: ClosedRange<Int>) -> Int? {
        if field.first == UInt8(ascii: "-") {
            guard let magnitude = decimal(Array(field.dropFirst()), in: 0...Int.max) else { return nil }
            return range.contains(-magnitude) ? -magnitude : nil
        }
        return decimal(field, in: range)
    }

    /// "exactly two hex digits". SILENT: case; both accepted, as for the CRC.
    private static func twoHexDigits(_ field: [UInt8]) -> UInt8? {
        guard field.count == 2, field.allSatisfy(isHexDigit) else { return nil }
        return UInt8(String(decoding: field, as: UTF8.self), radix: 16)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
