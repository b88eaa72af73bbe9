import M8Bus
import Testing

@Suite struct SentenceEncoderTests {
    @Test func encodesAllSpecExamplesByteForByte() {
        #expect(SentenceEncoder.encode(sampleSentence()) == SpecExample.fourCells)
        #expect(SentenceEncoder.encode(M8Sentence(
            battery: 2, sequence: 17, flags: 0x03,
            cellMillivolts: [3350, 3349, 3351, 3348, 3350, 3352, 3347, 3349],
            temperatureDecicelsius: [251, -52])) == SpecExample.eightCells)
        #expect(SentenceEncoder.encode(M8Sentence(
            battery: 3, sequence: 42, flags: 0x07,
            cellMillivolts: [3085, 3120, 3118, 3121], temperatureDecicelsius: [])) == SpecExample.preAlarm)
        #expect(SentenceEncoder.encode(M8Sentence(
            battery: 1, sequence: 255, flags: 0x00,
            cellMillivolts: [2795, 3101, 3102, 3100], temperatureDecicelsius: [190])) == SpecExample.allOff)
    }

    @Test func writesFlagsAsTwoUpperCaseHexDigits() {
        var sentence = sampleSentence()
        sentence.flags = 0x0A
        #expect(SentenceEncoder.encode(sentence).hasPrefix("$M8B,1,0,0A,4,"))
        sentence.flags = 0xFF
        #expect(SentenceEncoder.encode(sentence).hasPrefix("$M8B,1,0,FF,4,"))
    }

    @Test func framesAnyBodyWithFourUpperCaseHexDigitsAndCRLF() {
        // CRC-16/CCITT-FALSE("123456789") is 0x29B1; a body with a leading-zero CRC checks padding.
        #expect(SentenceEncoder.frame(body: "123456789") == "$123456789*29B1\r\n")
        let framed = SentenceEncoder.frame(body: "M8X,1,2")
        let crc = framed.split(separator: "*")[1].prefix(4)
        #expect(crc.count == 4)
        #expect(crc.allSatisfy { $0.isNumber || ("A"..."F").contains($0) })
        #expect(framed.hasSuffix("\r\n"))
    }

    @Test func padsSmallCRCWithLeadingZeros() {
        // Find a body whose CRC is below 0x1000 so that zero padding is actually exercised.
        let body = (0..<100_000).lazy.map { "M8X,\($0)" }.first { CRC16.ccittFalse($0.utf8) < 0x1000 }!
        let framed = SentenceEncoder.frame(body: body)
        let crcText = withoutCRLF(String(framed.split(separator: "*")[1]))
        #expect(crcText.count == 4)
        #expect(crcText.first == "0")
        #expect(UInt16(crcText, radix: 16) == CRC16.ccittFalse(body.utf8))
    }

    static let roundTripCases: [M8Sentence] = [
        sampleSentence(),
        M8Sentence(
            battery: 2, sequence: 17, flags: 0x03,
            cellMillivolts: [3350, 3349, 3351, 3348, 3350, 3352, 3347, 3349],
            temperatureDecicelsius: [251, -52]),
        M8Sentence(
            battery: 20, sequence: 255, flags: 0x04,
            cellMillivolts: [0, 65535, 3300, 1], temperatureDecicelsius: [-400, -1, 0, 1500]),
        M8Sentence(
            battery: 7, sequence: 128, flags: 0x00,
            cellMillivolts: Array(repeating: 3333, count: 8), temperatureDecicelsius: [-399, -52]),
        M8Sentence(
            battery: 5, sequence: 1, flags: 0x06,
            cellMillivolts: Array(3200..<3216), temperatureDecicelsius: []),
    ]

    @Test(arguments: roundTripCases)
    func encodeThenDecodeGivesTheSameSentence(_ sentence: M8Sentence) {
        let decoded = decodeAll(SentenceEncoder.encode(sentence))
        #expect(decoded.sentences == [sentence])
        #expect(decoded.counters == BusCounters(sentences: 1))
    }
}
