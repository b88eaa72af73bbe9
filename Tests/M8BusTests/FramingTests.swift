import M8Bus
import Testing

@Suite struct FramingTests {
    @Test func crcMismatchIsCountedBad() {
        // One data digit changed after the CRC was computed.
        let result = decodeAll("$M8B,1,0,03,4,3312,3310,3308,3312,1,215*737F\r\n")
        #expect(result.sentences.isEmpty)
        #expect(result.counters == BusCounters(bad: 1))
    }

    @Test func wrongCRCValueIsCountedBad() {
        let result = decodeAll("$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737E\r\n")
        #expect(result.sentences.isEmpty)
        #expect(result.counters == BusCounters(bad: 1))
    }

    @Test(arguments: [
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*37F\r\n",  // three digits
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*0737F\r\n",  // five digits
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737G\r\n",  // non-hex
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*\r\n",  // empty
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215\r\n",  // no star
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215**737F\r\n",  // two stars
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F \r\n",  // trailing space
        "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F\r\r\n",  // doubled CR
        "$\r\n",  // nothing at all
        "$\n",
    ])
    func malformedCRCFieldIsCountedBad(_ text: String) {
        let result = decodeAll(text)
        #expect(result.sentences.isEmpty)
        #expect(result.counters == BusCounters(bad: 1))
    }

    @Test func acceptsLowerCaseAndMixedCaseCRC() {
        let result = decodeAll(
            "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737f\r\n"
                + "$M8B,2,17,03,8,3350,3349,3351,3348,3350,3352,3347,3349,2,251,-52*5e45\r\n"
                + "$M8B,3,42,07,4,3085,3120,3118,3121,0*a0B3\r\n")
        #expect(result.sentences.map(\.battery) == [1, 2, 3])
        #expect(result.counters == BusCounters(sentences: 3))
    }

    @Test func acceptsBareNewlineAsTerminator() {
        let result = decodeAll("$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F\n")
        #expect(result.sentences == [sampleSentence()])
    }

    @Test func carriageReturnAloneDoesNotEndASentence() {
        // Without `\n` the sentence stays open; the next `$` cuts it short.
        let result = decodeAll("$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F\r" + SpecExample.eightCells)
        #expect(result.sentences.map(\.battery) == [2])
        #expect(result.counters == BusCounters(sentences: 1, bad: 1))
    }

    @Test func dollarInsideUnfinishedSentenceAbandonsItAndResyncs() {
        let result = decodeAll("$M8B,1,0,03,4,33" + SpecExample.eightCells)
        #expect(result.sentences.map(\.battery) == [2])
        #expect(result.counters == BusCounters(sentences: 1, bad: 1))
    }

    @Test func doubledDollarCountsOneBadAndDecodesTheSentence() {
        let result = decodeAll("$" + SpecExample.fourCells)
        #expect(result.sentences == [sampleSentence()])
        #expect(result.counters == BusCounters(sentences: 1, bad: 1))
    }

    @Test func halfSentenceAtStartUpIsSkippedSilently() {
        let result = decodeAll("3308,3311,1,215*737F\r\n" + SpecExample.eightCells)
        #expect(result.sentences.map(\.battery) == [2])
        #expect(result.counters == BusCounters(sentences: 1))
    }

    @Test func noiseBetweenSentencesIsSkippedSilently() {
        let noise = "garbage\r\n*737F,,,\n\u{0}\u{FF}M8B,1,0\r\n\n\r*"
        let result = decodeAll(noise + SpecExample.fourCells + noise + SpecExample.eightCells + noise)
        #expect(result.sentences.map(\.battery) == [1, 2])
        #expect(result.counters == BusCounters(sentences: 2))
    }

    @Test func badSentenceDoesNotAffectTheNextOne() {
        let result = decodeAll(
            "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*0000\r\n" + SpecExample.eightCells
                + "$M8B,1,0,03,4,33" + SpecExample.preAlarm)
        #expect(result.sentences.map(\.battery) == [2, 3])
        #expect(result.counters == BusCounters(sentences: 2, bad: 2))
    }

    /// A valid sentence padded with leading zeros in a cell field to exactly `length` bytes
    /// from `$` to `\n` inclusive.
    private func paddedSentence(length: Int, terminator: String = "\r\n") -> String {
        let plain = withoutCRLF(SentenceEncoder.frame(body: "M8B,1,0,03,1,3300,0")) + terminator
        let zeros = String(repeating: "0", count: length - plain.utf8.count)
        return withoutCRLF(SentenceEncoder.frame(body: "M8B,1,0,03,1,\(zeros)3300,0")) + terminator
    }

    @Test(arguments: ["\r\n", "\n"])
    func sentenceOfExactly160BytesIsAccepted(_ terminator: String) {
        let text = paddedSentence(length: 160, terminator: terminator)
        #expect(text.utf8.count == 160)
        let result = decodeAll(text)
        #expect(result.sentences.map(\.cellMillivolts) == [[3300]])
        #expect(result.counters == BusCounters(sentences: 1))
    }

    @Test(arguments: ["\r\n", "\n"])
    func sentenceOf161BytesIsDiscardedAsBad(_ terminator: String) {
        let text = paddedSentence(length: 161, terminator: terminator)
        #expect(text.utf8.count == 161)
        let result = decodeAll(text)
        #expect(result.sentences.isEmpty)
        #expect(result.counters == BusCounters(bad: 1))
    }

    @Test func overlongSentenceIsCountedOnceAndTheNextSentenceDecodes() {
        // The tail of the long one contains a complete-looking sentence without `$`: it must be skipped.
        let long = "$M8B," + String(repeating: "1234,", count: 2000)
            + "M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F\r\n"
        let result = decodeAll(long + SpecExample.eightCells)
        #expect(result.sentences.map(\.battery) == [2])
        #expect(result.counters == BusCounters(sentences: 1, bad: 1))
    }
}
