import M8Bus
import Testing

@Suite struct SequenceAndTypeTests {
    private func encode(_ battery: Int, _ sequence: Int) -> String {
        SentenceEncoder.encode(sampleSentence(battery: battery, sequence: sequence))
    }

    @Test func foreignTypeWithGoodCRCIsCountedForeignNotBadAndNotDelivered() {
        let result = decodeAll(
            SentenceEncoder.frame(body: "M8X,1,2") + SentenceEncoder.frame(body: "GPRMC,123519,A")
                + SpecExample.fourCells)
        #expect(result.sentences == [sampleSentence()])
        #expect(result.counters == BusCounters(sentences: 1, foreign: 2))
    }

    @Test func typeComparisonIsCaseSensitive() {
        let result = decodeAll(SentenceEncoder.frame(body: "m8b,1,0,03,4,3312,3310,3308,3311,1,215"))
        #expect(result.sentences.isEmpty)
        #expect(result.counters == BusCounters(foreign: 1))
    }

    @Test func foreignTypeWithBadCRCIsCountedBad() {
        let result = decodeAll("$M8X,1,2*0000\r\n")
        #expect(result.counters == BusCounters(bad: 1))
    }

    @Test func repeatedSequenceIsCountedAndNotDelivered() {
        let result = decodeAll(encode(1, 7) + encode(1, 7) + encode(1, 7))
        #expect(result.sentences == [sampleSentence(battery: 1, sequence: 7)])
        #expect(result.counters == BusCounters(sentences: 1, repeats: 2))
    }

    @Test func repeatWithDifferentValuesIsStillARepeat() {
        var changed = sampleSentence(battery: 1, sequence: 7)
        changed.cellMillivolts[0] = 3000
        let result = decodeAll(encode(1, 7) + SentenceEncoder.encode(changed))
        #expect(result.sentences == [sampleSentence(battery: 1, sequence: 7)])
        #expect(result.counters == BusCounters(sentences: 1, repeats: 1))
    }

    @Test func sameSequenceOnAnotherBatteryIsNotARepeat() {
        let result = decodeAll(encode(1, 7) + encode(2, 7) + encode(20, 7))
        #expect(result.sentences.map(\.battery) == [1, 2, 20])
        #expect(result.counters == BusCounters(sentences: 3))
    }

    @Test func sequenceWrapFrom255To0IsNotARepeat() {
        let result = decodeAll(encode(1, 254) + encode(1, 255) + encode(1, 0) + encode(1, 1))
        #expect(result.sentences.map(\.sequence) == [254, 255, 0, 1])
        #expect(result.counters == BusCounters(sentences: 4))
    }

    @Test func gapsAndBackwardJumpsAreDeliveredBecauseOnlyEqualityIsARepeat() {
        let result = decodeAll(encode(1, 5) + encode(1, 9) + encode(1, 5))
        #expect(result.sentences.map(\.sequence) == [5, 9, 5])
        #expect(result.counters == BusCounters(sentences: 3))
    }

    @Test func repeatIsJudgedAgainstTheLastDeliveredNotTheLastBadSentence() {
        let corrupted = "$M8B,1,6,03,4,3312,3310,3308,3311,1,215*0000\r\n"
        let result = decodeAll(encode(1, 5) + corrupted + encode(1, 5) + encode(1, 6))
        #expect(result.sentences.map(\.sequence) == [5, 6])
        #expect(result.counters == BusCounters(sentences: 2, bad: 1, repeats: 1))
    }

    @Test func resetForgetsPartialSentenceWithoutCountingIt() {
        var decoder = SentenceDecoder()
        let text = Array(SpecExample.fourCells.utf8)
        #expect(decoder.feed(text[0..<20]).isEmpty)
        decoder.reset()
        #expect(decoder.feed(text[20...]).isEmpty)
        #expect(decoder.counters == BusCounters())
        #expect(decoder.feed(Array(SpecExample.eightCells.utf8)).map(\.battery) == [2])
    }

    @Test func resetKeepsCountersAndLastSequences() {
        var decoder = SentenceDecoder()
        _ = decoder.feed(Array((encode(1, 5) + "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*0000\n").utf8))
        decoder.reset()
        #expect(decoder.counters == BusCounters(sentences: 1, bad: 1))
        #expect(decoder.feed(Array(encode(1, 5).utf8)).isEmpty)
        #expect(decoder.counters == BusCounters(sentences: 1, bad: 1, repeats: 1))
    }

    @Test func resetWhileDiscardingAnOverlongSentenceResumesNormally() {
        var decoder = SentenceDecoder()
        _ = decoder.feed(Array(("$" + String(repeating: "9", count: 300)).utf8))
        decoder.reset()
        #expect(decoder.feed(Array(SpecExample.fourCells.utf8)) == [sampleSentence()])
        #expect(decoder.counters == BusCounters(sentences: 1, bad: 1))
    }
}
