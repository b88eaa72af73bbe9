import M8Bus
import Testing

/// A stream with one of everything the decoder has to handle.
private func mixedStream() -> [UInt8] {
    var text = "noise at start-up 3311,1,215*737F\r\n"
    text += SpecExample.fourCells + SpecExample.eightCells
    text += "$M8B,1,0,03,4,33"  // cut short by the next `$`
    text += SpecExample.preAlarm
    text += SpecExample.preAlarm  // repeat
    text += SentenceEncoder.frame(body: "M8X,1,2")  // foreign
    text += "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*0000\r\n"  // bad CRC
    text += "$" + String(repeating: "x", count: 400) + "\r\n"  // too long
    text += SpecExample.allOff
    text += "$M8B,2,18,03,8,3350,3349,3351,3348,3350,3352,3347,3349,2,251,-52*"
    text += String(CRC16.ccittFalse("M8B,2,18,03,8,3350,3349,3351,3348,3350,3352,3347,3349,2,251,-52".utf8), radix: 16)
    text += "\n"  // lower-case CRC, bare newline
    text += "trailing partial $M8B,4,1"
    return Array(text.utf8)
}

private struct Outcome: Equatable {
    var sentences: [M8Sentence]
    var counters: BusCounters
}

private func feedWhole(_ bytes: [UInt8]) -> Outcome {
    var decoder = SentenceDecoder()
    var sentences: [M8Sentence] = []
    bytes.withUnsafeBytes { buffer in decoder.feed(buffer) { sentences.append($0) } }
    return Outcome(sentences: sentences, counters: decoder.counters)
}

private func feedByteAtATime(_ bytes: [UInt8]) -> Outcome {
    var decoder = SentenceDecoder()
    var sentences: [M8Sentence] = []
    for byte in bytes {
        sentences += decoder.feed([byte])
    }
    return Outcome(sentences: sentences, counters: decoder.counters)
}

private func feedRandomChunks(_ bytes: [UInt8], seed: UInt64, maxChunk: Int) -> Outcome {
    var rng = SplitMix64(seed: seed)
    var decoder = SentenceDecoder()
    var sentences: [M8Sentence] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + Int.random(in: 0...maxChunk, using: &rng))
        bytes[start..<end].withUnsafeBytes { buffer in decoder.feed(buffer) { sentences.append($0) } }
        start = end
    }
    return Outcome(sentences: sentences, counters: decoder.counters)
}

@Suite struct ChunkingTests {
    @Test func mixedStreamGivesTheExpectedSentencesAndCounters() {
        let outcome = feedWhole(mixedStream())
        #expect(outcome.sentences.map(\.battery) == [1, 2, 3, 1, 2])
        #expect(outcome.sentences.map(\.sequence) == [0, 17, 42, 255, 18])
        #expect(outcome.counters == BusCounters(sentences: 5, bad: 3, repeats: 1, foreign: 1))
    }

    @Test func byteAtATimeWholeBufferAndRandomChunksGiveIdenticalResults() {
        let bytes = mixedStream()
        let whole = feedWhole(bytes)
        #expect(feedByteAtATime(bytes) == whole)
        for seed in UInt64(1)...20 {
            #expect(feedRandomChunks(bytes, seed: seed, maxChunk: 40) == whole, "seed \(seed)")
        }
    }

    @Test func collectionFeedAcceptsSlicesAndNonContiguousCollections() {
        let bytes = mixedStream()
        let whole = feedWhole(bytes)
        var fromSlice = SentenceDecoder()
        let sliceSentences = fromSlice.feed(bytes[0...])
        #expect(Outcome(sentences: sliceSentences, counters: fromSlice.counters) == whole)
        var fromLazy = SentenceDecoder()
        let lazySentences = fromLazy.feed(bytes.lazy.map { $0 })
        #expect(Outcome(sentences: lazySentences, counters: fromLazy.counters) == whole)
    }

    @Test func megabyteOfRandomNoiseWithInterleavedSentencesYieldsExactlyThoseSentences() {
        var rng = SplitMix64(seed: 0x5EED_BA77)
        var stream: [UInt8] = []
        stream.reserveCapacity(1 << 20 + 4096)
        var expected: [M8Sentence] = []
        var index = 0
        while stream.count < 1 << 20 {
            // Random noise may hold `$`, `*`, `\n`: the `$` of the real sentence resyncs anyway,
            // and noise after a sentence's `\n` cannot reach back into it.
            let noiseLength = Int.random(in: 0...600, using: &rng)
            for _ in 0..<noiseLength {
                stream.append(UInt8.random(in: 0...255, using: &rng))
            }
            let cellCount = Bool.random(using: &rng) ? 4 : 8
            let sentence = M8Sentence(
                battery: index % 20 + 1,
                sequence: (index / 20) % 256,  // consecutive sentences of one battery always differ
                flags: UInt8.random(in: 0...7, using: &rng),
                cellMillivolts: (0..<cellCount).map { _ in Int.random(in: 0...65535, using: &rng) },
                temperatureDecicelsius: (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                    Int.random(in: -400...1500, using: &rng)
                })
            stream += Array(SentenceEncoder.encode(sentence).utf8)
            expected.append(sentence)
            index += 1
        }
        let whole = feedWhole(stream)
        #expect(whole.sentences.count == expected.count)
        #expect(whole.sentences == expected)
        #expect(whole.counters.sentences == expected.count)
        #expect(whole.counters.repeats == 0)
        #expect(whole.counters.foreign == 0)
        #expect(whole.counters.bad > 0)  // the noise did contain `$`: resync was exercised
        #expect(feedRandomChunks(stream, seed: 99, maxChunk: 4096) == whole)
    }
}
