import Testing
@testable import VictronInstantReadout

@Suite struct CapturedAdvertisementTests {
    private func captured() throws -> [VectorFile.CapturedAdvertisement] {
        let captured = try VectorFile.load().captured
        #expect(captured.count == 3, "section B of \(VectorFile.path)")
        return captured
    }

    /// `0xA389` from a title like `SmartShunt 500A/50mV (product id 0xA389), ...`.
    private func productID(in title: String) -> UInt16? {
        guard let range = title.range(of: "product id 0x") else { return nil }
        return UInt16(title[range.upperBound...].prefix { $0.isHexDigit }, radix: 16)
    }

    @Test func everyCapture_hasAProductAdvertisementHeader() throws {
        for vector in try captured() {
            let header = try InstantReadoutAdvertisement(manufacturerData: vector.advertisement)
            let bytes = vector.advertisement
            #expect(header.secondPrefixByte == bytes[1], "line \(vector.line)")
            #expect(header.productID == UInt16(bytes[2]) | UInt16(bytes[3]) << 8, "line \(vector.line)")
            if let listed = productID(in: vector.title) { #expect(header.productID == listed, "line \(vector.line)") }
            #expect(header.recordType == BatteryMonitorRecord.recordType, "line \(vector.line): the file says these are record 0x02")
            #expect(header.dataCounter == UInt16(bytes[5]) | UInt16(bytes[6]) << 8)
            #expect(header.keyCheckByte == bytes[7])
            #expect(header.ciphertext == Array(bytes[8...]))
            #expect(header.initialCounterBlock == [bytes[5], bytes[6]] + [UInt8](repeating: 0, count: 14))
            #expect(header.manufacturerData == bytes)
        }
    }

    @Test func capturesWithTheirKey_passTheKeyCheck_andDecryptToTheListedPlaintext() throws {
        let decryptable = try captured().filter { $0.plaintext != nil }
        #expect(decryptable.count == 2)
        for vector in decryptable {
            let key = try InstantReadoutKey(hex: vector.key)
            let header = try InstantReadoutAdvertisement(manufacturerData: vector.advertisement)
            #expect(header.keyCheckByte == key.checkByte, "line \(vector.line)")
            #expect(hex(try header.decrypted(with: key)) == hex(vector.plaintext ?? []), "line \(vector.line)")
            // The encoder writes what the device wrote, unused bits included.
            let record = try BatteryMonitorRecord(plaintext: vector.plaintext ?? [])
            #expect(hex(record.plaintext()) == hex(vector.plaintext ?? []), "line \(vector.line)")
            let again = try InstantReadoutEncoder.batteryMonitor(
                record, key: key, dataCounter: header.dataCounter, productID: header.productID, secondPrefixByte: header.secondPrefixByte)
            #expect(hex(again) == hex(vector.advertisement), "line \(vector.line)")
        }
    }

    @Test func theSmartShunt_givesItsListedStateOfCharge_voltageCurrentAndConsumption() throws {
        let vector = try #require(try captured().first { $0.title.contains("SmartShunt") })
        let decoded = try #require(vector.decoded)
        var decoder = BatteryMonitorDecoder(key: try InstantReadoutKey(hex: vector.key))
        let outcome = decoder.receive(manufacturerData: vector.advertisement)
        let record = try #require(outcome.freshValue)
        let soc = try #require(try VectorFile.value(in: decoded, unit: "%", scaledBy: 1, line: vector.line))
        #expect(record.stateOfChargePerMille == soc)
        #expect(record.stateOfChargePercent == Double(soc) / 10)
        let millivolts = try VectorFile.value(in: decoded, unit: "V", scaledBy: 3, line: vector.line)
        let milliamps = try VectorFile.value(in: decoded, unit: "A", scaledBy: 3, line: vector.line)
        let deciampHours = try VectorFile.value(in: decoded, unit: "Ah", scaledBy: 1, line: vector.line)
        #expect(millivolts != nil && record.batteryMillivolts == millivolts)
        #expect(milliamps != nil && record.currentMilliamps == milliamps)
        #expect(deciampHours != nil && record.consumedDeciampHours == deciampHours)
        #expect(record.alarmReason == 0, "the file says: no alarm")
        #expect(decoded.contains("time-to-go not available") && record.remainingMinutes == nil)
        #expect(decoder.counters == InstantReadoutCounters(advertisements: 1, decrypted: 1))
    }

    @Test func theSmartShunt_throughTheStateOfChargeShortcut_gives50Percent() throws {
        let vector = try #require(try captured().first { $0.title.contains("SmartShunt") })
        var decoder = BatteryMonitorDecoder(key: try InstantReadoutKey(hex: vector.key))
        let received = decoder.receiveStateOfChargePercent(manufacturerData: vector.advertisement)
        let percent = try #require(received)
        let listed = try #require(try VectorFile.value(in: vector.decoded ?? "", unit: "%", scaledBy: 1, line: vector.line))
        #expect(percent == Double(listed) / 10)
        // The same advertisement again is a repeat: no state of charge from it.
        #expect(decoder.receiveStateOfChargePercent(manufacturerData: vector.advertisement) == nil)
        #expect(decoder.counters.repeats == 1)
    }

    @Test func theSmartBatterySense_givesItsListedVoltageAndTemperature() throws {
        let vector = try #require(try captured().first { $0.title.contains("Battery Sense") })
        let decoded = try #require(vector.decoded)
        var decoder = BatteryMonitorDecoder(key: try InstantReadoutKey(hex: vector.key))
        let outcome = decoder.receive(manufacturerData: vector.advertisement)
        let record = try #require(outcome.freshValue)
        let millivolts = try VectorFile.value(in: decoded, unit: "V", scaledBy: 3, line: vector.line)
        let decicelsius = try VectorFile.value(in: decoded, unit: "C", scaledBy: 1, line: vector.line)
        #expect(millivolts != nil && record.batteryMillivolts == millivolts)
        #expect(record.auxMode == .temperature)
        #expect(decicelsius != nil && record.auxTemperatureDecicelsius == decicelsius)
        #expect(record.stateOfChargePerMille == nil && record.currentMilliamps == nil && record.consumedDeciampHours == nil)
    }

    @Test func theWrongKey_isRefusedByItsCheckByte_andNothingIsDecoded() throws {
        let vector = try #require(try captured().first { $0.title.contains("wrong key") })
        let key = try InstantReadoutKey(hex: vector.key)
        let checkByte = vector.advertisement[7]
        #expect(checkByte != key.checkByte)
        var monitor = BatteryMonitorDecoder(key: key)
        #expect(monitor.receive(manufacturerData: vector.advertisement) == .refused(.keyMismatch(checkByte: checkByte)))
        #expect(monitor.counters == InstantReadoutCounters(advertisements: 1, wrongKey: 1))
        let header = try InstantReadoutAdvertisement(manufacturerData: vector.advertisement)
        #expect(throws: InstantReadoutError.keyMismatch(checkByte: checkByte)) { try header.decrypted(with: key) }
    }

    @Test func aBatteryMonitorCapture_atABatterysAddress_isForeignNotAReading() throws {
        let vector = try #require(try captured().first { $0.title.contains("SmartShunt") })
        var battery = SmartLithiumDecoder(battery: 1, key: try InstantReadoutKey(hex: vector.key))
        #expect(battery.receive(manufacturerData: vector.advertisement) == .refused(.otherRecordType(0x02, expected: 0x05)))
        #expect(battery.counters == InstantReadoutCounters(advertisements: 1, foreign: 1))
    }
}
