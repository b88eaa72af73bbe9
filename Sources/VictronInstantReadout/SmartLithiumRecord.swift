/// A Lithium Battery Smart's Instant Readout record (type 0x05), decrypted: 16 bytes, fields
/// packed LSB-first. "Not available" values are nil.
///
/// | bits | field |
/// | --- | --- |
/// | 0-31 | BMS flags |
/// | 32-47 | error code |
/// | 48 + 7i | cell i+1: 2.60 V + raw x 0.01 V; 0x00 = 2.60 V or below, 0x7E = 3.86 V or above, 0x7F n/a |
/// | 104-115 | battery voltage x 0.01 V; 0xFFF n/a |
/// | 116-119 | balancer status; 0xF n/a |
/// | 120-126 | temperature, raw - 40 C; 0x7F n/a |
/// | 127 | unused (sent as 1) |
public struct SmartLithiumRecord: Sendable, Hashable {
    /// The record type byte of the advertisement header.
    public static let recordType: UInt8 = 0x05
    /// Bytes the fields need.
    public static let plaintextLength = 16
    /// Cells in every record; a 12.8 V battery sends "not available" for cells 5-8.
    public static let cellCount = 8
    /// The lowest cell value the record can carry (raw 0x00: "2.60 V or below").
    public static let lowestCellMillivolts = 2600
    /// The highest cell value the record can carry (raw 0x7E: "3.86 V or above").
    public static let highestCellMillivolts = 3860
    /// The lowest and highest temperature the record can carry (raw 0x00 and 0x7E).
    public static let temperatureRangeCelsius = -40...86

    /// The balancer status, bits 116-119.
    public enum Balancer: UInt8, Sendable, Hashable {
        /// 0.
        case unknown = 0
        /// 1.
        case balanced = 1
        /// 2.
        case balancing = 2
        /// 3: the cells are out of balance.
        case imbalance = 3
    }

    /// The BMS flags.
    public var flags: SmartLithiumFlags
    /// The Smart Lithium error code (0 = none).
    public var errorCode: UInt16
    /// Cells 1 to 8 in mV, nil where "not available"; 2600 and 3860 are the range limits (at or
    /// beyond them). Always 8 entries when decoded.
    public var cellMillivolts: [Int?]
    /// The battery voltage in mV (10 mV steps), nil when not available.
    public var batteryMillivolts: Int?
    /// The balancer status; nil when not available (0xF) or a value this decoder does not know (4-14).
    public var balancer: Balancer?
    /// The battery temperature in whole degrees Celsius, nil when not available.
    public var temperatureCelsius: Int?

    /// A record from its values (for tests and simulators).
    public init(
        flags: SmartLithiumFlags, errorCode: UInt16 = 0, cellMillivolts: [Int?], batteryMillivolts: Int?,
        balancer: Balancer?, temperatureCelsius: Int?
    ) {
        self.flags = flags
        self.errorCode = errorCode
        self.cellMillivolts = cellMillivolts
        self.batteryMillivolts = batteryMillivolts
        self.balancer = balancer
        self.temperatureCelsius = temperatureCelsius
    }

    /// Decodes a decrypted record; needs 16 bytes (more are ignored).
    public init(plaintext: some Collection<UInt8>) throws(InstantReadoutError) {
        let bytes = Array(plaintext)
        guard bytes.count >= Self.plaintextLength else {
            throw .recordTooShort(recordType: Self.recordType, length: bytes.count, needed: Self.plaintextLength)
        }
        flags = SmartLithiumFlags(rawValue: UInt32(PackedBits.read(bytes, bit: 0, count: 32)))
        errorCode = UInt16(PackedBits.read(bytes, bit: 32, count: 16))
        cellMillivolts = (0..<Self.cellCount).map { cell in
            let raw = Int(PackedBits.read(bytes, bit: 48 + 7 * cell, count: 7))
            return raw == 0x7F ? nil : Self.lowestCellMillivolts + 10 * raw
        }
        let voltage = Int(PackedBits.read(bytes, bit: 104, count: 12))
        batteryMillivolts = voltage == 0xFFF ? nil : 10 * voltage
        balancer = Balancer(rawValue: UInt8(PackedBits.read(bytes, bit: 116, count: 4)))
        let temperature = Int(PackedBits.read(bytes, bit: 120, count: 7))
        temperatureCelsius = temperature == 0x7F ? nil : temperature - 40
    }

    /// The 16 bytes a battery encrypts for these values. Values beyond a field's range are sent as
    /// its limit (cells 2600/3860 mV, temperature -40/86 C), millivolts rounded to 10 mV; missing
    /// cells (fewer than 8 entries) as "not available".
    public func plaintext() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.plaintextLength)
        PackedBits.write(UInt64(flags.rawValue), into: &bytes, bit: 0, count: 32)
        PackedBits.write(UInt64(errorCode), into: &bytes, bit: 32, count: 16)
        for cell in 0..<Self.cellCount {
            var raw = 0x7F
            if cell < cellMillivolts.count, let millivolts = cellMillivolts[cell] {
                let inRange = Self.clamp(millivolts, Self.lowestCellMillivolts...Self.highestCellMillivolts)
                raw = (inRange - Self.lowestCellMillivolts + 5) / 10
            }
            PackedBits.write(UInt64(raw), into: &bytes, bit: 48 + 7 * cell, count: 7)
        }
        let voltage = batteryMillivolts.map { (Self.clamp($0, 0...40_940) + 5) / 10 } ?? 0xFFF
        PackedBits.write(UInt64(voltage), into: &bytes, bit: 104, count: 12)
        PackedBits.write(UInt64(balancer?.rawValue ?? 0xF), into: &bytes, bit: 116, count: 4)
        let temperature = temperatureCelsius.map { Self.clamp($0, Self.temperatureRangeCelsius) + 40 } ?? 0x7F
        PackedBits.write(UInt64(temperature), into: &bytes, bit: 120, count: 7)
        // Bit 127 is unused; every published capture has it set, as Victron's records pad with ones.
        PackedBits.write(1, into: &bytes, bit: 127, count: 1)
        return bytes
    }

    private static func clamp(_ value: Int, _ range: ClosedRange<Int>) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }
}
