// Checks shared by the three serial BMS targets (jbd, jk, daly); run.sh compiles this file into
// each of their harnesses, not into the others (it imports SerialBMS).

import BMSCore
import SerialBMS

/// Feeds `stream` to fresh decoders whole, one byte at a time and in chunks derived from the
/// input; they must deliver the same frames and reach the same counters, and never hold more
/// than `maxHeld` bytes. Returns the frames.
func checkChunking<Decoder: FrameDecoder>(_ make: () -> Decoder, _ stream: [UInt8], maxHeld: Int) -> [Decoder.Frame] {
    var whole = make()
    var wholeOut: [Decoder.Frame] = []
    whole.feed(stream) { wholeOut.append($0) }
    guard whole.heldByteCount <= maxHeld else { fuzzFail("holds \(whole.heldByteCount) bytes after \(stream)") }

    var single = make()
    var singleOut: [Decoder.Frame] = []
    for (offset, byte) in stream.enumerated() {
        single.feed(CollectionOfOne(byte)) { singleOut.append($0) }
        guard single.heldByteCount <= maxHeld else {
            fuzzFail("holds \(single.heldByteCount) bytes after byte \(offset) of \(stream)")
        }
    }
    guard singleOut == wholeOut, single.counters == whole.counters else {
        fuzzFail("byte by byte: \(singleOut.count) frames \(single.counters), whole: \(wholeOut.count) frames \(whole.counters), input \(stream)")
    }

    var random = FuzzRandom(seed: fnv1a(stream))
    var chunked = make()
    var chunkedOut: [Decoder.Frame] = []
    var offset = 0
    while offset < stream.count {
        let size = random.below(4) == 0 ? random.below(3) : 1 + random.below(64)
        let end = min(stream.count, offset + size)
        chunked.feed(stream[offset..<end]) { chunkedOut.append($0) }
        offset = end
    }
    guard chunkedOut == wholeOut, chunked.counters == whole.counters else {
        fuzzFail("chunked: \(chunkedOut.count) frames \(chunked.counters), whole: \(wholeOut.count) frames \(whole.counters), input \(stream)")
    }
    let counted = whole.counters
    guard counted.frames == wholeOut.count, counted.frames >= 0, counted.bad >= 0, counted.skippedBytes >= 0 else {
        fuzzFail("counters \(counted) for \(wholeOut.count) frames, input \(stream)")
    }
    return wholeOut
}

/// Plays `stream` as the replies a session receives, in chunks at times derived from the input
/// (some past the reply timeout), and hands every reading to `problem`, which names what is wrong
/// with it or returns nil. The session never holds more than `maxHeld` bytes.
func checkSession<BMSProtocol: PollProtocol>(_ bms: BMSProtocol, _ stream: [UInt8], maxHeld: Int, problem: (BatteryReading) -> String?) {
    var session = PollSession(protocol: bms, battery: 1, cells: 4)
    var now = Instant.origin
    var readings = session.advance(at: now).readings
    var random = FuzzRandom(seed: fnv1a(stream) ^ 0x5EED)
    var offset = 0
    while offset < stream.count {
        let end = min(stream.count, offset + 1 + random.below(48))
        now = now + .milliseconds(random.below(8) == 0 ? 400 : random.below(20))
        readings += session.receive(Array(stream[offset..<end]), at: now).readings
        offset = end
        guard session.heldByteCount <= maxHeld else { fuzzFail("session holds \(session.heldByteCount) bytes, input \(stream)") }
        guard session.nextDeadline > now else { fuzzFail("next deadline \(session.nextDeadline) not after \(now), input \(stream)") }
    }
    for reading in readings {
        if let problem = problem(reading) { fuzzFail("\(problem): \(reading) from \(stream)") }
        guard reading.battery == 1 else { fuzzFail("reading for battery \(reading.battery)") }
    }
    guard session.counters.readings == readings.count else {
        fuzzFail("\(readings.count) readings, counters say \(session.counters.readings)")
    }
}

/// Nil when every value lies in `range`; else what lies outside.
func outside(_ values: [Int], _ range: ClosedRange<Int>, _ what: String) -> String? {
    values.first { !range.contains($0) }.map { "\(what) \($0) outside \(range)" }
}
