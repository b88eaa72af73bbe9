// libFuzzer target for the M8 bus decoder (Sources/M8Bus). run.sh compiles the M8Bus sources as
// their own module with coverage and -enable-testing (so this file can read the decoder's internal
// buffer size), and this harness without coverage, so that only the code under test guides
// libFuzzer and the reference reading does not slow every execution down with tracing.
//
// For every input, as is and with its CRCs repaired (see withRepairedCRCs):
// - the decoder fed the whole input at once, fed one byte at a time, and fed in chunks of sizes
//   derived from the input (with empty chunks and receiver resets between chunks) must deliver
//   exactly the sentences of ReferenceReading and reach exactly its counters;
// - it must never hold more than 158 bytes of a partial sentence;
// - it must never crash or hang (libFuzzer's -timeout catches the latter).

@testable import M8Bus

@_cdecl("LLVMFuzzerTestOneInput")
public func decoderFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkDecoder(on: input)
    let repaired = withRepairedCRCs(input)
    if repaired != input { checkDecoder(on: repaired) }
    return 0
}

/// The limit on buffered bytes: 160 minus the `$` and `\n` the decoder never stores.
private let bufferLimit = 158

private func checkDecoder(on stream: [UInt8]) {
    let expected = ReferenceReading.read(stream)

    // 1. One call with everything.
    var whole = SentenceDecoder()
    var wholeOut: [M8Sentence] = []
    stream.withUnsafeBytes { whole.feed($0) { wholeOut.append($0) } }
    compare(whole, wholeOut, expected, stream, how: "fed whole")

    // 2. One byte per call (the slowest UART read).
    var single = SentenceDecoder()
    var singleOut: [M8Sentence] = []
    stream.withUnsafeBytes { buffer in
        for offset in 0..<buffer.count {
            single.feed(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + 1)])) { singleOut.append($0) }
            guard single.bufferedByteCount <= bufferLimit else {
                fuzzFail("decoder holds \(single.bufferedByteCount) bytes after byte \(offset) of \(escaped(stream))")
            }
        }
    }
    compare(single, singleOut, expected, stream, how: "fed byte by byte")

    // 3. Chunks whose sizes come from the input, some empty, some around the 158/160 limits,
    //    with an occasional reset between two chunks (a reopened device).
    var random = FuzzRandom(seed: fnv1a(stream))
    var chunked = SentenceDecoder()
    var chunkedOut: [M8Sentence] = []
    var cuts: [Int] = []
    var plan: [Int] = []  // chunk sizes, -1 for a reset; only printed on failure
    stream.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let size: Int
            switch random.below(8) {
            case 0: size = 0
            case 1: size = 155 + random.below(8)
            case 2: size = 1 + random.below(400)
            default: size = 1 + random.below(24)
            }
            let end = min(buffer.count, offset + size)
            chunked.feed(UnsafeRawBufferPointer(rebasing: buffer[offset..<end])) { chunkedOut.append($0) }
            plan.append(end - offset)
            guard chunked.bufferedByteCount <= bufferLimit else {
                fuzzFail("decoder holds \(chunked.bufferedByteCount) bytes after chunks \(planText(plan)) of \(escaped(stream))")
            }
            offset = end
            if random.below(16) == 0 {
                chunked.reset()
                cuts.append(offset)
                plan.append(-1)
            }
        }
    }
    let expectedWithCuts = cuts.isEmpty ? expected : ReferenceReading.read(stream, cuts: cuts)
    compare(chunked, chunkedOut, expectedWithCuts, stream, how: "fed in chunks \(planText(plan))")
}

private func compare(
    _ decoder: SentenceDecoder, _ delivered: [M8Sentence], _ expected: ReferenceOutcome, _ stream: [UInt8], how: @autoclosure () -> String
) {
    guard decoder.bufferedByteCount <= bufferLimit else {
        fuzzFail("decoder holds \(decoder.bufferedByteCount) bytes, \(how()), after \(escaped(stream))")
    }
    guard delivered == expected.sentences, decoder.counters == expected.counters else {
        fuzzFail("""
            decoder and reference reading disagree, \(how())
              stream:    \(escaped(stream))
              decoder:   \(decoder.counters) \(delivered.map(summary))
              reference: \(expected.counters) \(expected.sentences.map(summary))
            """)
    }
}

private func summary(_ sentence: M8Sentence) -> String {
    "#\(sentence.battery)/\(sentence.sequence)/\(sentence.flags) \(sentence.cellMillivolts) \(sentence.temperatureDecicelsius)"
}

private func planText(_ plan: [Int]) -> String {
    "[" + plan.map { $0 < 0 ? "reset" : String($0) }.joined(separator: " ") + "]"
}
