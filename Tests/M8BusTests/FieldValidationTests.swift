import M8Bus
import Testing

/// A body that breaks the field table, framed with a correct CRC so only the field rule can reject it.
struct BadBody: CustomTestStringConvertible, Sendable {
    let rule: String
    let body: String
    var testDescription: String { "\(rule): \(body)" }
}

@Suite struct FieldValidationTests {
    static let badBodies: [BadBody] = [
        BadBody(rule: "battery 0 below range", body: "M8B,0,0,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "battery 21 above range", body: "M8B,21,0,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "battery negative", body: "M8B,-1,0,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "battery with plus sign", body: "M8B,+1,0,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "battery empty", body: "M8B,,0,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "battery non-digit", body: "M8B,1a,0,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "seq 256 above range", body: "M8B,1,256,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "seq negative", body: "M8B,1,-1,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "seq empty", body: "M8B,1,,03,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "flags one digit", body: "M8B,1,0,3,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "flags three digits", body: "M8B,1,0,003,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "flags non-hex", body: "M8B,1,0,0G,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "flags empty", body: "M8B,1,0,,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "flags with sign", body: "M8B,1,0,+3,4,3312,3310,3308,3311,1,215"),
        BadBody(rule: "ncells 0 below range", body: "M8B,1,0,03,0,1,215"),
        BadBody(rule: "ncells 17 above range",
                body: "M8B,1,0,03,17," + Array(repeating: "3300", count: 17).joined(separator: ",") + ",0"),
        BadBody(rule: "ncells says 4 but 3 cells follow", body: "M8B,1,0,03,4,3312,3310,3308,1,215"),
        BadBody(rule: "ncells says 4 but 5 cells follow", body: "M8B,1,0,03,4,3312,3310,3308,3311,3309,1,215"),
        BadBody(rule: "ncells says 3 but 4 cells follow", body: "M8B,1,0,03,3,3312,3310,3308,3311,1,215"),
        BadBody(rule: "mV 65536 above range", body: "M8B,1,0,03,4,65536,3310,3308,3311,1,215"),
        BadBody(rule: "mV negative", body: "M8B,1,0,03,4,-3312,3310,3308,3311,1,215"),
        BadBody(rule: "mV with plus sign", body: "M8B,1,0,03,4,+3312,3310,3308,3311,1,215"),
        BadBody(rule: "mV decimal point", body: "M8B,1,0,03,4,3.312,3310,3308,3311,1,215"),
        BadBody(rule: "mV leading space", body: "M8B,1,0,03,4, 3312,3310,3308,3311,1,215"),
        BadBody(rule: "mV empty", body: "M8B,1,0,03,4,3312,,3308,3311,1,215"),
        BadBody(rule: "mV with 25 digits must not overflow",
                body: "M8B,1,0,03,4,9999999999999999999999999,3310,3308,3311,1,215"),
        BadBody(rule: "mV just past Int64 must not wrap to a valid value",
                body: "M8B,1,0,03,4,18446744073709554924,3310,3308,3311,1,215"),
        BadBody(rule: "ntemps 5 above range", body: "M8B,1,0,03,4,3312,3310,3308,3311,5,1,2,3,4,5"),
        BadBody(rule: "ntemps says 2 but 1 follows", body: "M8B,1,0,03,4,3312,3310,3308,3311,2,215"),
        BadBody(rule: "ntemps says 1 but 2 follow", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,215,220"),
        BadBody(rule: "ntemps missing", body: "M8B,1,0,03,4,3312,3310,3308,3311"),
        BadBody(rule: "ntemps empty", body: "M8B,1,0,03,4,3312,3310,3308,3311,"),
        BadBody(rule: "dC -401 below range", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,-401"),
        BadBody(rule: "dC 1501 above range", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,1501"),
        BadBody(rule: "dC with plus sign", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,+215"),
        BadBody(rule: "dC lone minus", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,-"),
        BadBody(rule: "dC double minus", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,--52"),
        BadBody(rule: "dC minus after digits", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,52-"),
        BadBody(rule: "dC decimal point", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,21.5"),
        BadBody(rule: "dC empty", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,"),
        BadBody(rule: "dC huge negative must not overflow",
                body: "M8B,1,0,03,4,3312,3310,3308,3311,1,-99999999999999999999999"),
        BadBody(rule: "trailing comma is an extra empty field", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,215,"),
        BadBody(rule: "extra field after zero temperatures", body: "M8B,3,42,07,4,3085,3120,3118,3121,0,0"),
        BadBody(rule: "type only", body: "M8B"),
        BadBody(rule: "type and battery only", body: "M8B,1"),
        BadBody(rule: "non-ASCII byte in a field", body: "M8B,1,0,03,4,3312,3310,3308,3311,1,2\u{00B0}5"),
    ]

    @Test(arguments: badBodies)
    func fieldTableViolationWithGoodCRCIsCountedBadAndNotDelivered(_ bad: BadBody) {
        let result = decodeAll(SentenceEncoder.frame(body: bad.body))
        #expect(result.sentences.isEmpty)
        #expect(result.counters == BusCounters(bad: 1))
    }

    @Test(arguments: badBodies)
    func fieldTableViolationDoesNotAffectTheNextSentence(_ bad: BadBody) {
        let result = decodeAll(SentenceEncoder.frame(body: bad.body) + SpecExample.fourCells)
        #expect(result.sentences == [sampleSentence()])
        #expect(result.counters == BusCounters(sentences: 1, bad: 1))
    }

    @Test func acceptsEveryRangeBoundary() {
        let low = M8Sentence(
            battery: 1, sequence: 0, flags: 0x00, cellMillivolts: [0], temperatureDecicelsius: [-400])
        let high = M8Sentence(
            battery: 20, sequence: 255, flags: 0xFF,
            cellMillivolts: Array(repeating: 65535, count: 16),
            temperatureDecicelsius: [1500, 1500, -400, 0])
        let result = decodeAll(SentenceEncoder.encode(low) + SentenceEncoder.encode(high))
        #expect(result.sentences == [low, high])
        #expect(result.counters == BusCounters(sentences: 2))
    }

    @Test func acceptsLeadingZerosInDecimalFieldsAsTheSameValue() {
        let body = "M8B,01,000,03,004,003312,3310,0000000000000000000000000000003308,3311,01,0215"
        let result = decodeAll(SentenceEncoder.frame(body: body))
        #expect(result.sentences == [sampleSentence(battery: 1, sequence: 0).with(cells: [3312, 3310, 3308, 3311])])
        #expect(result.counters == BusCounters(sentences: 1))
    }

    @Test func acceptsMinusZeroAndLeadingZerosInTemperatures() {
        let result = decodeAll(SentenceEncoder.frame(body: "M8B,1,0,03,1,3300,3,-0,-052,-0400"))
        #expect(result.sentences.first?.temperatureDecicelsius == [0, -52, -400])
        #expect(result.counters == BusCounters(sentences: 1))
    }

    @Test func acceptsLowerCaseFlagsDigits() {
        let result = decodeAll(SentenceEncoder.frame(body: "M8B,1,0,0a,1,3300,0"))
        #expect(result.sentences.first?.flags == 0x0A)
    }

    @Test func deliversReservedFlagBitsRawButAccessorsIgnoreThem() throws {
        let result = decodeAll(SentenceEncoder.frame(body: "M8B,1,0,F8,1,3300,0"))
        let sentence = try #require(result.sentences.first)
        #expect(sentence.flags == 0xF8)
        #expect(!sentence.allowsDischarge && !sentence.allowsCharge && !sentence.preAlarm)
    }

    @Test func deliversImplausibleButInRangeValuesWithoutJudging() {
        // A 0 mV cell is a fault for the rule core to find, not a framing error.
        let sentence = M8Sentence(
            battery: 4, sequence: 9, flags: 0x03, cellMillivolts: [0, 0, 65535, 3300],
            temperatureDecicelsius: [1500])
        let result = decodeAll(SentenceEncoder.encode(sentence))
        #expect(result.sentences == [sentence])
    }
}

extension M8Sentence {
    func with(cells: [Int]) -> M8Sentence {
        var copy = self
        copy.cellMillivolts = cells
        return copy
    }
}
