// libFuzzer target for the Bluetooth Instant Readout decoders (Sources/VictronInstantReadout).
// run.sh compiles that module (and BMSCore) with coverage and -enable-testing, so that this harness
// can seal arbitrary plaintext with the module's AES-CTR; the harness has no coverage.
//
// An input is a key and a script of advertisements:
// - bytes 0..<16: the key (missing bytes are 0);
// - then commands, each a control byte c:
//   c & 3 == 0: raw advertisement, length = next byte % 30, bytes as given; if c & 4, its prefix,
//               record type and key check byte are patched to pass the header (so noise gets decrypted);
//   c & 3 == 1: a Smart Lithium record: 16 plaintext bytes and a 2-byte counter, sealed with the key;
//   c & 3 == 2: a battery-monitor record: 15 plaintext bytes and a 2-byte counter, sealed with the key;
//   c & 3 == 3: an earlier advertisement again (index = next byte), one byte flipped if c & 4.
//
// For every advertisement, fed to a SmartLithiumDecoder and a BatteryMonitorDecoder:
// - the outcome (fresh / repeated / refused and why) and every counter equal those of a separate,
//   naive reading of the notes' table written here (header, key check byte, "counter moved",
//   bit fields read bit by bit, the decoder's two trust rules: 4 cells with a gap, 8 cells that do
//   not add up to the battery voltage);
// - every counter set adds up: advertisements = decrypted + repeats + wrongKey + bad + foreign;
// - a fresh reading has at most 8 cells, each 2600...3860 mV, at most one temperature within
//   -40...86 C, the decoder's battery number and flags of bits 26/25/12;
// - a fresh record re-encodes (InstantReadoutEncoder) to an advertisement a new decoder reads the same;
// - a fresh battery-monitor record has a state of charge nil or within 0...100 %;
// - a header that parses gives back the very bytes; the same script run twice gives the same outcomes.

import BMSCore
@testable import VictronInstantReadout

@_cdecl("LLVMFuzzerTestOneInput")
public func victronBLEFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let script = Script(input)
    let first = run(script)
    let second = run(script)
    guard first == second else { fuzzFail("the same script gave other outcomes the second time: \(escaped(input))") }
    return 0
}

// MARK: - the script

private struct Script {
    var keyBytes: [UInt8]
    var advertisements: [[UInt8]] = []

    init(_ input: [UInt8]) {
        keyBytes = Array(input.prefix(16)) + [UInt8](repeating: 0, count: max(0, 16 - input.count))
        var reader = Reader(bytes: Array(input.dropFirst(16)))
        while let control = reader.next() {
            switch control & 3 {
            case 0:
                let length = Int(reader.next() ?? 0) % 30
                var bytes = reader.take(length)
                if control & 4 != 0 {
                    if bytes.count > 0 { bytes[0] = 0x10 }
                    if bytes.count > 4 { bytes[4] = control & 8 != 0 ? 0x02 : 0x05 }
                    if bytes.count > 7 { bytes[7] = keyBytes[0] }
                }
                advertisements.append(bytes)
            case 1, 2:
                let smartLithium = control & 3 == 1
                let plaintext = reader.take(smartLithium ? 16 : 15, padding: 0xFF)
                let counter = reader.take(2, padding: 0)
                advertisements.append(sealed(plaintext, recordType: smartLithium ? 0x05 : 0x02, counter: counter))
            default:
                guard !advertisements.isEmpty else { continue }
                var again = advertisements[Int(reader.next() ?? 0) % advertisements.count]
                if control & 4 != 0, !again.isEmpty {
                    let at = Int(control >> 3) % again.count
                    again[at] ^= 1 << (control & 7)
                }
                advertisements.append(again)
            }
            if advertisements.count >= 64 { break }
        }
    }

    /// Header written out by hand, ciphertext from libcrypto's AES-CTR (checked against NIST in the tests).
    private func sealed(_ plaintext: [UInt8], recordType: UInt8, counter: [UInt8]) -> [UInt8] {
        let block = counter + [UInt8](repeating: 0, count: 14)
        guard case .success(let ciphertext) = LibCrypto.aes128CTR(key: keyBytes, initialCounterBlock: block, bytes: plaintext) else {
            fuzzFail("AES-CTR failed on a valid key and counter")
        }
        return [0x10, 0x02, 0xE5, 0xA3, recordType, counter[0], counter[1], keyBytes[0]] + ciphertext
    }
}

private struct Reader {
    var bytes: [UInt8]
    var offset = 0

    mutating func next() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func take(_ count: Int, padding: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<count { out.append(next() ?? padding) }
        return out
    }
}

// MARK: - the naive reading

private enum Expected: Equatable {
    case fresh([UInt8])  // the plaintext
    case repeated(UInt16)
    case wrongKey
    case bad
    case foreign
}

/// What the notes say an advertisement is, for a decoder of `recordType` whose last fresh counter is `last`.
private func expected(_ bytes: [UInt8], key: [UInt8], recordType: UInt8, last: UInt16?) -> Expected {
    if bytes.isEmpty { return .bad }
    if bytes[0] != 0x10 { return .foreign }
    if bytes.count < 9 || bytes.count > 24 { return .bad }
    if bytes[4] != recordType { return .foreign }
    if bytes[7] != key[0] { return .wrongKey }
    let counter = UInt16(bytes[5]) | UInt16(bytes[6]) << 8
    if counter == last { return .repeated(counter) }
    guard case .success(let plaintext) = LibCrypto.aes128CTR(
        key: key, initialCounterBlock: [bytes[5], bytes[6]] + [UInt8](repeating: 0, count: 14), bytes: Array(bytes[8...]))
    else { fuzzFail("AES-CTR failed") }
    let needed = recordType == 0x05 ? 16 : 15
    if plaintext.count < needed { return .bad }
    if recordType == 0x05, naiveReading(plaintext) == nil { return .bad }
    return .fresh(plaintext)
}

private func field(_ bytes: [UInt8], _ first: Int, _ count: Int) -> Int {
    var value = 0
    for bit in 0..<count where (bytes[(first + bit) / 8] >> UInt8((first + bit) % 8)) & 1 == 1 {
        value += 1 << bit
    }
    return value
}

/// (cells mV, temperatures 0.1 C, ATD, ATC, PRE), or nil for a record the decoder must not trust.
private func naiveReading(_ plaintext: [UInt8]) -> ([Int], [Int], Bool, Bool, Bool)? {
    var cells: [Int] = []
    var gapAmongFirstFour = false
    for cell in 0..<8 {
        let raw = field(plaintext, 48 + 7 * cell, 7)
        if raw == 0x7F {
            if cell < 4 { gapAmongFirstFour = true }
        } else {
            cells.append(2600 + 10 * raw)
        }
    }
    // 4 cells with a gap would pass a 4-cell bank's count with a cell out of place.
    if cells.count == 4, gapAmongFirstFour { return nil }
    let voltage = field(plaintext, 104, 12)
    if cells.count == 8, voltage != 0xFFF {
        let millivolts = 10 * voltage
        let low = cells.filter { $0 != 2600 }.reduce(0, +)
        if millivolts < low - SmartLithiumDecoder.cellSumToleranceMillivolts { return nil }
        if !cells.contains(3860), millivolts > cells.reduce(0, +) + SmartLithiumDecoder.cellSumToleranceMillivolts { return nil }
    }
    let temperature = field(plaintext, 120, 7)
    let flags = field(plaintext, 0, 32)
    return (cells, temperature == 0x7F ? [] : [10 * (temperature - 40)], flags >> 26 & 1 == 1, flags >> 25 & 1 == 1, flags >> 12 & 1 == 1)
}

// MARK: - the run

private func category<V>(_ outcome: InstantReadoutOutcome<V>) -> String {
    switch outcome {
    case .fresh: return "fresh"
    case .repeated(let counter): return "repeated \(counter)"
    case .refused(let error):
        switch error {
        case .keyMismatch: return "wrongKey"
        case .notProductAdvertisement, .otherRecordType: return "foreign"
        default: return "bad"
        }
    }
}

private func category(_ expected: Expected) -> String {
    switch expected {
    case .fresh: return "fresh"
    case .repeated(let counter): return "repeated \(counter)"
    case .wrongKey: return "wrongKey"
    case .bad: return "bad"
    case .foreign: return "foreign"
    }
}

private func tally(_ counters: inout InstantReadoutCounters, _ expected: Expected) {
    counters.advertisements += 1
    switch expected {
    case .fresh: counters.decrypted += 1
    case .repeated: counters.repeats += 1
    case .wrongKey: counters.wrongKey += 1
    case .bad: counters.bad += 1
    case .foreign: counters.foreign += 1
    }
}

private func checkSum(_ counters: InstantReadoutCounters, _ context: @autoclosure () -> String) {
    let parts = counters.decrypted + counters.repeats + counters.wrongKey + counters.bad + counters.foreign
    guard counters.advertisements == parts else { fuzzFail("counters do not add up: \(counters), \(context())") }
}

/// Runs the script; returns every outcome's category, for the determinism check.
private func run(_ script: Script) -> [String] {
    guard let key = InstantReadoutKey(bytes: script.keyBytes) else { fuzzFail("a 16-byte key was refused") }
    let battery = 3
    var lithium = SmartLithiumDecoder(battery: battery, key: key)
    var monitor = BatteryMonitorDecoder(key: key)
    var lithiumLast: UInt16?
    var monitorLast: UInt16?
    var lithiumCounters = InstantReadoutCounters()
    var monitorCounters = InstantReadoutCounters()
    var log: [String] = []

    for (index, bytes) in script.advertisements.enumerated() {
        let context = "advertisement \(index) \(escaped(bytes)) with key byte 0 = \(script.keyBytes[0])"

        if let header = try? InstantReadoutAdvertisement(manufacturerData: bytes), header.manufacturerData != bytes {
            fuzzFail("header \(header) gives other bytes back, \(context)")
        }

        // Smart Lithium.
        let lithiumExpected = expected(bytes, key: script.keyBytes, recordType: 0x05, last: lithiumLast)
        let lithiumOutcome = lithium.receive(manufacturerData: bytes)
        guard category(lithiumOutcome) == category(lithiumExpected) else {
            fuzzFail("Smart Lithium: \(lithiumOutcome), expected \(lithiumExpected), \(context)")
        }
        tally(&lithiumCounters, lithiumExpected)
        checkSum(lithium.counters, context)
        guard lithium.counters == lithiumCounters else { fuzzFail("Smart Lithium counters \(lithium.counters), expected \(lithiumCounters), \(context)") }
        if case .fresh(let plaintext) = lithiumExpected, case .fresh(let reading) = lithiumOutcome {
            lithiumLast = UInt16(bytes[5]) | UInt16(bytes[6]) << 8
            check(reading, battery: battery, plaintext: plaintext, context)
            checkReEncoding(lithium.latestRecord, reading: reading, key: key, counter: lithiumLast ?? 0, context)
        }
        log.append(category(lithiumOutcome))

        // Battery monitor.
        let monitorExpected = expected(bytes, key: script.keyBytes, recordType: 0x02, last: monitorLast)
        let monitorOutcome = monitor.receive(manufacturerData: bytes)
        guard category(monitorOutcome) == category(monitorExpected) else {
            fuzzFail("battery monitor: \(monitorOutcome), expected \(monitorExpected), \(context)")
        }
        tally(&monitorCounters, monitorExpected)
        checkSum(monitor.counters, context)
        guard monitor.counters == monitorCounters else { fuzzFail("monitor counters \(monitor.counters), expected \(monitorCounters), \(context)") }
        if case .fresh(let plaintext) = monitorExpected, case .fresh(let record) = monitorOutcome {
            monitorLast = UInt16(bytes[5]) | UInt16(bytes[6]) << 8
            let soc = field(plaintext, 108, 10)
            guard record.stateOfChargePerMille == (soc <= 1000 ? soc : nil) else { fuzzFail("SoC \(String(describing: record.stateOfChargePerMille)) from raw \(soc), \(context)") }
            if let percent = record.stateOfChargePercent, !(0...100).contains(percent) { fuzzFail("SoC \(percent) %, \(context)") }
            guard (try? BatteryMonitorRecord(plaintext: record.plaintext())) == record else { fuzzFail("\(record) does not re-encode, \(context)") }
        }
        log.append(category(monitorOutcome))
    }
    return log
}

private func check(_ reading: BatteryReading, battery: Int, plaintext: [UInt8], _ context: @autoclosure () -> String) {
    guard reading.battery == battery else { fuzzFail("battery \(reading.battery), \(context())") }
    guard reading.cellMillivolts.count <= 8, reading.cellMillivolts.allSatisfy({ (2600...3860).contains($0) }) else {
        fuzzFail("cells out of range: \(reading.cellMillivolts), \(context())")
    }
    guard reading.temperatureDecicelsius.count <= 1, reading.temperatureDecicelsius.allSatisfy({ (-400...860).contains($0) }) else {
        fuzzFail("temperature out of range: \(reading.temperatureDecicelsius), \(context())")
    }
    guard let naive = naiveReading(plaintext) else { fuzzFail("a reading from an untrusted record, \(context())") }
    guard reading.cellMillivolts == naive.0, reading.temperatureDecicelsius == naive.1,
          reading.flags == BatteryFlags(allowsDischarge: naive.2, allowsCharge: naive.3, raisesPrealarm: naive.4)
    else { fuzzFail("reading \(reading), the notes' table gives \(naive), \(context())") }
}

private func checkReEncoding(_ record: SmartLithiumRecord?, reading: BatteryReading, key: InstantReadoutKey, counter: UInt16, _ context: @autoclosure () -> String) {
    guard let record else { fuzzFail("no latest record after a fresh reading, \(context())") }
    guard let bytes = try? InstantReadoutEncoder.smartLithium(record, key: key, dataCounter: counter, productID: 0xA3E5) else {
        fuzzFail("the encoder refused \(record), \(context())")
    }
    var again = SmartLithiumDecoder(battery: reading.battery, key: key)
    guard again.receive(manufacturerData: bytes) == .fresh(reading), again.latestRecord == record else {
        fuzzFail("\(record) re-encoded reads \(String(describing: again.latestRecord)), \(context())")
    }
}
