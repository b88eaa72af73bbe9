import Testing
@testable import VictronInstantReadout

/// SplitMix64, seeded: reproducible random records.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct EncoderRoundTripTests {
    @Test func randomSmartLithiumRecords_encodeAndDecodeToThemselves() throws {
        var random = SplitMix64(state: 5)
        for counter in UInt16(0)..<300 {
            let cellCount = Bool.random(using: &random) ? 4 : 8
            let cells: [Int?] = (0..<8).map { $0 < cellCount ? 2600 + 10 * Int.random(in: 0...126, using: &random) : nil }
            let record = SmartLithiumRecord(
                flags: SmartLithiumFlags(rawValue: UInt32.random(in: 0...UInt32.max, using: &random)),
                errorCode: UInt16.random(in: 0...UInt16.max, using: &random), cellMillivolts: cells,
                batteryMillivolts: Bool.random(using: &random) ? nil : 10 * Int.random(in: 0...4094, using: &random),
                balancer: SmartLithiumRecord.Balancer(rawValue: UInt8.random(in: 0...4, using: &random)),
                temperatureCelsius: Bool.random(using: &random) ? nil : Int.random(in: -40...86, using: &random))
            let bytes = try InstantReadoutEncoder.smartLithium(record, key: testKey, dataCounter: counter, productID: 0xA3E5)
            let header = try InstantReadoutAdvertisement(manufacturerData: bytes)
            #expect(header.recordType == 0x05 && header.dataCounter == counter && header.keyCheckByte == testKey.checkByte)
            #expect(header.ciphertext != record.plaintext(), "the record must go out encrypted")
            #expect(try SmartLithiumRecord(plaintext: try header.decrypted(with: testKey)) == record)
        }
    }

    @Test func randomBatteryMonitorRecords_encodeAndDecodeToThemselves() throws {
        var random = SplitMix64(state: 6)
        var decoder = BatteryMonitorDecoder(key: testKey)
        for counter in UInt16(0)..<300 {
            let record = BatteryMonitorRecord(
                remainingMinutes: Bool.random(using: &random) ? nil : Int.random(in: 0...0xFFFE, using: &random),
                batteryMillivolts: Bool.random(using: &random) ? nil : 10 * Int.random(in: -0x8000...0x7FFE, using: &random),
                alarmReason: UInt16.random(in: 0...UInt16.max, using: &random), auxValue: UInt16.random(in: 0...UInt16.max, using: &random),
                auxMode: BatteryMonitorRecord.AuxMode(rawValue: UInt8.random(in: 0...3, using: &random)) ?? .disabled,
                currentMilliamps: Bool.random(using: &random) ? nil : Int.random(in: -0x20_0000...0x1F_FFFE, using: &random),
                consumedDeciampHours: Bool.random(using: &random) ? nil : -Int.random(in: 0...0xF_FFFE, using: &random),
                stateOfChargePerMille: Bool.random(using: &random) ? nil : Int.random(in: 0...1000, using: &random))
            let bytes = try InstantReadoutEncoder.batteryMonitor(record, key: testKey, dataCounter: counter, productID: 0xA389)
            #expect(decoder.receive(manufacturerData: bytes) == .fresh(record))
        }
        #expect(decoder.counters == InstantReadoutCounters(advertisements: 300, decrypted: 300))
    }

    @Test func theEncoder_clampsValuesToWhatTheRecordCanCarry() throws {
        let record = SmartLithiumRecord(
            flags: [], cellMillivolts: [2000, 4200, 3304, 3306], batteryMillivolts: 99_000, balancer: nil, temperatureCelsius: 120)
        let decoded = try SmartLithiumRecord(plaintext: record.plaintext())
        #expect(decoded.cellMillivolts == [2600, 3860, 3300, 3310, nil, nil, nil, nil])
        #expect(decoded.batteryMillivolts == 40940)
        #expect(decoded.temperatureCelsius == 86)
        #expect(decoded.balancer == nil)
    }

    @Test func aStateOfChargeAbove100Percent_isNotAvailable() throws {
        var bytes = BatteryMonitorRecord(
            remainingMinutes: nil, batteryMillivolts: 13000, currentMilliamps: 0, consumedDeciampHours: 0, stateOfChargePerMille: 1000).plaintext()
        #expect(try BatteryMonitorRecord(plaintext: bytes).stateOfChargePercent == 100)
        bytes[14] |= 0x3F  // SoC raw = 0x3F0 | 8 = 1016 (bits 108-117: high nibble of byte 13, low 6 bits of byte 14)
        #expect(try BatteryMonitorRecord(plaintext: bytes).stateOfChargePerMille == nil)
    }
}
