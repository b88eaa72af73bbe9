import BMSCore
import Testing
@testable import VictronInstantReadout

@Suite struct SmartLithiumDecoderTests {
    private let payload = healthyFourCells.plaintext()

    private func firstReading(_ payload: [UInt8]) -> InstantReadoutOutcome<BatteryReading> {
        var decoder = SmartLithiumDecoder(battery: 1, key: testKey)
        return decoder.receive(manufacturerData: advertisement(payload: payload, counter: 7))
    }

    @Test func cellRaw0x00_is2600mV_0x7E_is3860mV_0x7F_isNotAvailable() throws {
        var bytes = settingCellRaw(0x00, cell: 0, in: payload)
        bytes = settingCellRaw(0x7E, cell: 1, in: bytes)
        bytes = settingCellRaw(0x7F, cell: 3, in: bytes)
        let record = try SmartLithiumRecord(plaintext: bytes)
        #expect(record.cellMillivolts == [2600, 3860, 3310, nil, nil, nil, nil, nil])
        // Cell 4 not available on a 4-cell battery: three cells, which the rules see as a wrong count.
        #expect(firstReading(bytes).freshValue?.cellMillivolts == [2600, 3860, 3310])
    }

    @Test func everyRawCellValue_givesAReadingInsideTheReadoutsRange() throws {
        for raw in UInt8(0)...0x7E {
            let cells = try #require(firstReading(settingCellRaw(raw, cell: 2, in: payload)).freshValue?.cellMillivolts)
            #expect(cells[2] == 2600 + 10 * Int(raw))
            #expect((2600...3860).contains(cells[2]))
        }
    }

    @Test func flagBits26_25_12_areATD_ATC_PRE() throws {
        let cases: [(SmartLithiumFlags, BatteryFlags)] = [
            ([.allowedToDischarge], BatteryFlags(allowsDischarge: true, allowsCharge: false)),
            ([.allowedToCharge], BatteryFlags(allowsDischarge: false, allowsCharge: true)),
            ([.allowedToCharge, .allowedToDischarge, .lowVoltageWarning], BatteryFlags(allowsDischarge: true, allowsCharge: true, raisesPrealarm: true)),
            ([.lowVoltageAlarm, .highVoltageAlarm, .cellImbalance], BatteryFlags(allowsDischarge: false, allowsCharge: false)),
        ]
        for (flags, expected) in cases {
            var record = healthyFourCells
            record.flags = flags
            #expect(firstReading(record.plaintext()).freshValue?.flags == expected, "\(flags.rawValue)")
        }
    }

    @Test func temperatureNotAvailable_isLeftOut_andTheRangeEndsAreKept() {
        var record = healthyFourCells
        record.temperatureCelsius = nil
        #expect(firstReading(record.plaintext()).freshValue?.temperatureDecicelsius == [])
        record.temperatureCelsius = -40
        #expect(firstReading(record.plaintext()).freshValue?.temperatureDecicelsius == [-400])
        record.temperatureCelsius = 86
        #expect(firstReading(record.plaintext()).freshValue?.temperatureDecicelsius == [860])
    }

    @Test func theSameDataCounterAgain_isARepeat_notFresh_untilTheCounterMoves() {
        var decoder = SmartLithiumDecoder(battery: 1, key: testKey)
        let first = advertisement(payload: payload, counter: 0x1234)
        #expect(decoder.receive(manufacturerData: first).freshValue != nil)
        #expect(decoder.receive(manufacturerData: first) == .repeated(dataCounter: 0x1234))
        // Even with other content: the counter is what says "new".
        var changed = healthyFourCells
        changed.cellMillivolts[0] = 3000
        #expect(decoder.receive(manufacturerData: advertisement(payload: changed.plaintext(), counter: 0x1234)) == .repeated(dataCounter: 0x1234))
        #expect(decoder.receive(manufacturerData: advertisement(payload: changed.plaintext(), counter: 0x1235)).freshValue?.cellMillivolts.first == 3000)
        // Back to an older counter is movement too (a restarted battery counts from anywhere).
        #expect(decoder.receive(manufacturerData: first).freshValue != nil)
        #expect(decoder.counters == InstantReadoutCounters(advertisements: 5, decrypted: 3, repeats: 2))
    }

    @Test func aRefusedAdvertisement_doesNotMoveTheCounterThatRepeatsAreJudgedBy() {
        var decoder = SmartLithiumDecoder(battery: 1, key: testKey)
        let good = advertisement(payload: payload, counter: 9)
        _ = decoder.receive(manufacturerData: good)
        var wrongKeyAdvert = advertisement(payload: payload, counter: 10)
        wrongKeyAdvert[7] ^= 0xFF
        #expect(decoder.receive(manufacturerData: wrongKeyAdvert) == .refused(.keyMismatch(checkByte: testKey.checkByte ^ 0xFF)))
        #expect(decoder.receive(manufacturerData: good) == .repeated(dataCounter: 9))
        #expect(decoder.counters == InstantReadoutCounters(advertisements: 3, decrypted: 1, repeats: 1, wrongKey: 1))
    }

    @Test func truncatedOrOverlongData_isRefusedAsBad_atEveryLength() {
        let whole = advertisement(payload: payload, counter: 3)
        #expect(whole.count == 24)
        for length in 0..<whole.count {
            var decoder = SmartLithiumDecoder(battery: 1, key: testKey)
            let outcome = decoder.receive(manufacturerData: whole.prefix(length))
            let expected: InstantReadoutError = length <= 8
                ? .tooShort(length: length) : .recordTooShort(recordType: 0x05, length: length - 8, needed: 16)
            #expect(outcome == .refused(expected), "length \(length)")
            #expect(decoder.counters == InstantReadoutCounters(advertisements: 1, bad: 1), "length \(length)")
        }
        var decoder = SmartLithiumDecoder(battery: 1, key: testKey)
        #expect(decoder.receive(manufacturerData: whole + [0]) == .refused(.tooLong(length: 25)))
    }

    @Test func anotherKindOfVictronAdvertisement_isForeign() {
        var other = advertisement(payload: payload, counter: 3)
        other[0] = 0x11
        var decoder = SmartLithiumDecoder(battery: 1, key: testKey)
        #expect(decoder.receive(manufacturerData: other) == .refused(.notProductAdvertisement(prefix: 0x11)))
        #expect(decoder.receive(manufacturerData: [0x11]) == .refused(.notProductAdvertisement(prefix: 0x11)))
        #expect(decoder.counters == InstantReadoutCounters(advertisements: 2, foreign: 2))
    }

    @Test func aMissingCellAmongTheBatterysCells_givesAWrongCount() throws {
        // A 12.8 V battery whose cell 2 is not available: three cells, a rule 8 fault at once.
        let fourCellBattery = settingCellRaw(0x7F, cell: 1, in: payload)
        #expect(firstReading(fourCellBattery).freshValue?.cellMillivolts == [3310, 3310, 3310])
        // A 25.6 V battery whose cell 5 is not available: seven cells.
        var eight = SmartLithiumRecord(
            flags: [.allowedToCharge, .allowedToDischarge], cellMillivolts: Array(repeating: 3300, count: 8),
            batteryMillivolts: 26400, balancer: .balanced, temperatureCelsius: 20)
        eight.cellMillivolts[4] = nil
        #expect(firstReading(eight.plaintext()).freshValue?.cellMillivolts.count == 7)
    }

    @Test func fourCellsWithAGapBeforeTheFourth_areNotTrusted() {
        // Cells 1, 3, 4, 5 would pass a 4-cell bank's count with cell 5 taken for cell 4.
        let gap = settingCellRaw(0x30, cell: 4, in: settingCellRaw(0x7F, cell: 1, in: payload))
        #expect(firstReading(gap) == .refused(.cellAfterMissingCell(cell: 3)))
    }

    @Test func eightCellsThatDoNotAddUpToTheBatteryVoltage_areNotTrusted() {
        var record = SmartLithiumRecord(
            flags: [.allowedToCharge, .allowedToDischarge], cellMillivolts: Array(repeating: 3300, count: 8),
            batteryMillivolts: 26400, balancer: .balanced, temperatureCelsius: 20)
        #expect(firstReading(record.plaintext()).freshValue?.cellMillivolts.count == 8)
        record.batteryMillivolts = 26400 + SmartLithiumDecoder.cellSumToleranceMillivolts
        #expect(firstReading(record.plaintext()).freshValue != nil)
        record.batteryMillivolts = 26400 + SmartLithiumDecoder.cellSumToleranceMillivolts + 10
        #expect(firstReading(record.plaintext()) == .refused(.cellsDoNotAddUp(batteryMillivolts: 26710, cellSumMillivolts: 26400)))
        // A cell at the top of the range may be higher: only the lower bound applies then.
        record.cellMillivolts[0] = 3860
        record.batteryMillivolts = 28000
        #expect(firstReading(record.plaintext()).freshValue != nil)
        record.batteryMillivolts = 20000
        #expect(firstReading(record.plaintext()) == .refused(.cellsDoNotAddUp(batteryMillivolts: 20000, cellSumMillivolts: 26960)))
    }

    @Test func aKeyWithTheRightFirstByteButWrongRest_mostlyGivesNoReading() throws {
        // The key check byte cannot catch such a key: decryption gives noise. Count what gets through
        // with 8-cell records (4-cell ones give 8 noise cells, a wrong count, anyway).
        let eightCells = SmartLithiumRecord(
            flags: [.allowedToCharge, .allowedToDischarge], cellMillivolts: Array(repeating: 3300, count: 8),
            batteryMillivolts: 26400, balancer: .balanced, temperatureCelsius: 20)
        var almost = Array("aff4d0995b7d1e176c0c33ecb9e70dcd".utf8)
        almost[31] = UInt8(ascii: "e")
        var decoder = SmartLithiumDecoder(battery: 1, key: try InstantReadoutKey(hex: String(decoding: almost, as: UTF8.self)))
        var plausible = 0
        for counter in UInt16(0)..<2000 {
            let reading = decoder.receive(manufacturerData: advertisement(payload: eightCells.plaintext(), counter: counter)).freshValue
            if reading?.cellMillivolts.count == 8 { plausible += 1 }
        }
        #expect(decoder.counters.wrongKey == 0)
        #expect(plausible < 2000 / 20, "\(plausible) of 2000 noise records passed as 8 plausible cells")
    }

    @Test func errorDescriptions_sayWhatToCheck() {
        #expect(InstantReadoutError.keyMismatch(checkByte: 0xAF).description.contains("VictronConnect"))
        #expect(InstantReadoutError.otherRecordType(0x02, expected: 0x05).description.contains("address"))
        #expect(InstantReadoutError.tooShort(length: 3).description.contains("3 bytes"))
    }
}
