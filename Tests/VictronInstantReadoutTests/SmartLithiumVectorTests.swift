import BMSCore
import Testing
@testable import VictronInstantReadout

@Suite struct SmartLithiumVectorTests {
    @Test func everyDecryptedPayload_decodesToItsListedValues() throws {
        let file = try VectorFile.load()
        #expect(file.smartLithium.count == 5, "section A of \(VectorFile.path)")
        for vector in file.smartLithium {
            let record = try SmartLithiumRecord(plaintext: vector.payload)
            #expect(record.flags.rawValue == vector.flags, "line \(vector.line)")
            if let errorCode = vector.errorCode { #expect(record.errorCode == errorCode, "line \(vector.line)") }
            #expect(record.balancer.map { "\($0)" } == vector.balancer, "line \(vector.line)")
            #expect(record.temperatureCelsius == vector.temperatureCelsius, "line \(vector.line)")
            #expect(record.batteryMillivolts == vector.batteryMillivolts, "line \(vector.line)")
            #expect(record.cellMillivolts == vector.cellMillivolts, "line \(vector.line)")
        }
    }

    @Test func everyDecryptedPayload_encrypted_becomesTheReadingOfItsAvailableCells() throws {
        let file = try VectorFile.load()
        for (index, vector) in file.smartLithium.enumerated() {
            var decoder = SmartLithiumDecoder(battery: 2, key: testKey)
            let outcome = decoder.receive(manufacturerData: advertisement(payload: vector.payload, counter: UInt16(index)))
            let reading = try #require(outcome.freshValue, "line \(vector.line): \(outcome)")
            #expect(reading.battery == 2)
            #expect(reading.cellMillivolts == vector.cellMillivolts.compactMap { $0 }, "line \(vector.line)")
            #expect(reading.temperatureDecicelsius == [10 * vector.temperatureCelsius], "line \(vector.line)")
            // ATD = bit 26, ATC = bit 25, PRE = bit 12.
            let expected = BatteryFlags(
                allowsDischarge: vector.flags & (1 << 26) != 0, allowsCharge: vector.flags & (1 << 25) != 0,
                raisesPrealarm: vector.flags & (1 << 12) != 0)
            #expect(reading.flags == expected, "line \(vector.line)")
            #expect(decoder.latestRecord?.batteryMillivolts == vector.batteryMillivolts)
            #expect(decoder.counters == InstantReadoutCounters(advertisements: 1, decrypted: 1))
        }
    }

    @Test func everyDecryptedPayload_reEncodes_toTheSameBytes() throws {
        for vector in try VectorFile.load().smartLithium {
            // Bit 127 is unused; the payloads have it set (padding ones), and so must the encoder.
            #expect(hex(try SmartLithiumRecord(plaintext: vector.payload).plaintext()) == hex(vector.payload), "line \(vector.line)")
        }
    }
}
