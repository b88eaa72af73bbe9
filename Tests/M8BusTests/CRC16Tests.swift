import M8Bus
import Testing

/// Bit-by-bit CRC straight from the definition, to check the table-driven one against.
private func referenceCRC(_ bytes: [UInt8]) -> UInt16 {
    var crc: UInt16 = 0xFFFF
    for byte in bytes {
        crc ^= UInt16(byte) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
    }
    return crc
}

@Suite struct CRC16Tests {
    @Test func checkValueOf123456789Is29B1() {
        #expect(CRC16.ccittFalse("123456789".utf8) == 0x29B1)
        #expect(CRC16.ccittFalse(Array("123456789".utf8)) == 0x29B1)
    }

    @Test func emptyInputGivesTheInitialValue() {
        #expect(CRC16.ccittFalse([UInt8]()) == 0xFFFF)
    }

    @Test func nonContiguousSequenceGivesSameResultAsArray() {
        let bytes = Array("M8B,1,0,03,4,3312,3310,3308,3311,1,215".utf8)
        #expect(CRC16.ccittFalse(bytes.lazy.map { $0 }) == CRC16.ccittFalse(bytes))
        #expect(CRC16.ccittFalse(bytes) == 0x737F)
    }

    @Test func tableDrivenMatchesBitwiseReferenceOnRandomInputs() {
        var rng = SplitMix64(seed: 7)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CRC16.ccittFalse(bytes) == referenceCRC(bytes), "length \(length)")
        }
    }

    @Test(arguments: [
        SpecExample.fourCells, SpecExample.eightCells, SpecExample.preAlarm, SpecExample.allOff,
    ])
    func specExampleCarriesTheCorrectCRC(_ sentence: String) throws {
        let text = sentence.dropFirst()  // "$"
        let parts = text.split(separator: "*")
        try #require(parts.count == 2)
        let stated = try #require(UInt16(parts[1].prefix(4), radix: 16))
        #expect(CRC16.ccittFalse(parts[0].utf8) == stated)
    }
}
