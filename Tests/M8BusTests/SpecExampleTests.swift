import M8Bus
import Testing

@Suite struct SpecExampleTests {
    @Test func decodesSpecExampleWithFourCellsAndOneTemperature() throws {
        let result = decodeAll(SpecExample.fourCells)
        let sentence = try #require(result.sentences.first)
        #expect(result.sentences.count == 1)
        #expect(sentence == M8Sentence(
            battery: 1, sequence: 0, flags: 0x03,
            cellMillivolts: [3312, 3310, 3308, 3311], temperatureDecicelsius: [215]))
        #expect(sentence.allowsDischarge && sentence.allowsCharge && !sentence.preAlarm)
        #expect(result.counters == BusCounters(sentences: 1))
    }

    @Test func decodesSpecExampleWithEightCellsAndTwoTemperatures() {
        let result = decodeAll(SpecExample.eightCells)
        #expect(result.sentences == [M8Sentence(
            battery: 2, sequence: 17, flags: 0x03,
            cellMillivolts: [3350, 3349, 3351, 3348, 3350, 3352, 3347, 3349],
            temperatureDecicelsius: [251, -52])])
        #expect(result.counters == BusCounters(sentences: 1))
    }

    @Test func decodesSpecExampleWithPreAlarmAndNoTemperature() throws {
        let result = decodeAll(SpecExample.preAlarm)
        let sentence = try #require(result.sentences.first)
        #expect(result.sentences.count == 1)
        #expect(sentence == M8Sentence(
            battery: 3, sequence: 42, flags: 0x07,
            cellMillivolts: [3085, 3120, 3118, 3121], temperatureDecicelsius: []))
        #expect(sentence.allowsDischarge && sentence.allowsCharge && sentence.preAlarm)
    }

    @Test func decodesSpecExampleWithLoadsAndChargersOffAtSequence255() throws {
        let result = decodeAll(SpecExample.allOff)
        let sentence = try #require(result.sentences.first)
        #expect(result.sentences.count == 1)
        #expect(sentence == M8Sentence(
            battery: 1, sequence: 255, flags: 0x00,
            cellMillivolts: [2795, 3101, 3102, 3100], temperatureDecicelsius: [190]))
        #expect(!sentence.allowsDischarge && !sentence.allowsCharge && !sentence.preAlarm)
    }

    @Test func decodesAllFourSpecExamplesInOneStream() {
        let stream = SpecExample.fourCells + SpecExample.eightCells + SpecExample.preAlarm + SpecExample.allOff
        let result = decodeAll(stream)
        #expect(result.sentences.map(\.battery) == [1, 2, 3, 1])
        #expect(result.sentences.map(\.sequence) == [0, 17, 42, 255])
        #expect(result.counters == BusCounters(sentences: 4))
    }
}
