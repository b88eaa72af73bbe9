/// A SmartShunt or BMV's Instant Readout record (type 0x02, "battery monitor"), decrypted: 15 bytes,
/// fields packed LSB-first. "Not available" values are nil. Its state of charge feeds rule 10.
///
/// | bits | field |
/// | --- | --- |
/// | 0-15 | time to go, minutes; 0xFFFF n/a |
/// | 16-31 | battery voltage, signed, x 0.01 V; 0x7FFF n/a |
/// | 32-47 | alarm reason bits |
/// | 48-63 | aux input value (starter voltage x 0.01 V signed, midpoint voltage x 0.01 V, or temperature x 0.01 K) |
/// | 64-65 | aux input mode |
/// | 66-87 | battery current, signed, mA; 0x1FFFFF n/a |
/// | 88-107 | consumed, x 0.1 Ah (taken out, so reported negative); 0xFFFFF n/a |
/// | 108-117 | state of charge, x 0.1 %; 0x3FF n/a |
/// | 118-119 | unused (sent as 1) |
public struct BatteryMonitorRecord: Sendable, Hashable {
    /// The record type byte of the advertisement header.
    public static let recordType: UInt8 = 0x02
    /// Bytes the fields need.
    public static let plaintextLength = 15

    /// What the aux input measures (bits 64-65), hence what ``auxValue`` means.
    public enum AuxMode: UInt8, Sendable, Hashable {
        /// A starter battery's voltage, x 0.01 V signed.
        case starterVoltage = 0
        /// The bank's midpoint voltage, x 0.01 V.
        case midpointVoltage = 1
        /// A temperature, x 0.01 K.
        case temperature = 2
        /// Nothing connected.
        case disabled = 3
    }

    /// Time to go in minutes, nil when not available.
    public var remainingMinutes: Int?
    /// Battery voltage in mV (10 mV steps), nil when not available.
    public var batteryMillivolts: Int?
    /// The alarm reason bits (0 = no alarm).
    public var alarmReason: UInt16
    /// The aux input's raw value; see ``auxMode``.
    public var auxValue: UInt16
    /// What the aux input measures.
    public var auxMode: AuxMode
    /// Battery current in mA (positive = charging), nil when not available.
    public var currentMilliamps: Int?
    /// Consumed charge in 0.1 Ah, zero or negative (taken out of the battery), nil when not available.
    public var consumedDeciampHours: Int?
    /// State of charge in 0.1 %, nil when not available (0x3FF: the monitor is not synchronised) or above 100 %.
    public var stateOfChargePerMille: Int?

    /// A record from its values (for tests and simulators).
    public init(
        remainingMinutes: Int?, batteryMillivolts: Int?, alarmReason: UInt16 = 0, auxValue: UInt16 = 0,
        auxMode: AuxMode = .disabled, currentMilliamps: Int?, consumedDeciampHours: Int?, stateOfChargePerMille: Int?
    ) {
        self.remainingMinutes = remainingMinutes
        self.batteryMillivolts = batteryMillivolts
        self.alarmReason = alarmReason
        self.auxValue = auxValue
        self.auxMode = auxMode
        self.currentMilliamps = currentMilliamps
        self.consumedDeciampHours = consumedDeciampHours
        self.stateOfChargePerMille = stateOfChargePerMille
    }

    /// Decodes a decrypted record; needs 15 bytes (more are ignored).
    public init(plaintext: some Collection<UInt8>) throws(InstantReadoutError) {
        let bytes = Array(plaintext)
        guard bytes.count >= Self.plaintextLength else {
            throw .recordTooShort(recordType: Self.recordType, length: bytes.count, needed: Self.plaintextLength)
        }
        let remaining = PackedBits.read(bytes, bit: 0, count: 16)
        remainingMinutes = remaining == 0xFFFF ? nil : Int(remaining)
        let voltage = PackedBits.read(bytes, bit: 16, count: 16)
        batteryMillivolts = voltage == 0x7FFF ? nil : 10 * PackedBits.signed(voltage, count: 16)
        alarmReason = UInt16(PackedBits.read(bytes, bit: 32, count: 16))
        auxValue = UInt16(PackedBits.read(bytes, bit: 48, count: 16))
        auxMode = AuxMode(rawValue: UInt8(PackedBits.read(bytes, bit: 64, count: 2))) ?? .disabled
        let current = PackedBits.read(bytes, bit: 66, count: 22)
        currentMilliamps = current == 0x1F_FFFF ? nil : PackedBits.signed(current, count: 22)
        let consumed = PackedBits.read(bytes, bit: 88, count: 20)
        consumedDeciampHours = consumed == 0xF_FFFF ? nil : -Int(consumed)
        let soc = Int(PackedBits.read(bytes, bit: 108, count: 10))
        stateOfChargePerMille = soc <= 1000 ? soc : nil
    }

    /// The state of charge in percent (0 to 100, 0.1 % steps), nil when not available.
    public var stateOfChargePercent: Double? { stateOfChargePerMille.map { Double($0) / 10 } }

    /// The aux input's temperature in 0.1 C when ``auxMode`` is ``AuxMode/temperature``, else nil.
    public var auxTemperatureDecicelsius: Int? {
        guard auxMode == .temperature else { return nil }
        let centiCelsius = Int(auxValue) - 27315
        return centiCelsius >= 0 ? (centiCelsius + 5) / 10 : -((-centiCelsius + 5) / 10)
    }

    /// The 15 bytes a monitor encrypts for these values. Values beyond a field's range are sent as
    /// its limit; millivolts are rounded to 10 mV.
    public func plaintext() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.plaintextLength)
        PackedBits.write(UInt64(remainingMinutes.map { Self.clamp($0, 0...0xFFFE) } ?? 0xFFFF), into: &bytes, bit: 0, count: 16)
        let voltage = batteryMillivolts.map { PackedBits.twosComplement(Self.clamp(Self.roundedTenth($0), -0x8000...0x7FFE), count: 16) }
        PackedBits.write(voltage ?? 0x7FFF, into: &bytes, bit: 16, count: 16)
        PackedBits.write(UInt64(alarmReason), into: &bytes, bit: 32, count: 16)
        PackedBits.write(UInt64(auxValue), into: &bytes, bit: 48, count: 16)
        PackedBits.write(UInt64(auxMode.rawValue), into: &bytes, bit: 64, count: 2)
        let current = currentMilliamps.map { PackedBits.twosComplement(Self.clamp($0, -0x20_0000...0x1F_FFFE), count: 22) }
        PackedBits.write(current ?? 0x1F_FFFF, into: &bytes, bit: 66, count: 22)
        PackedBits.write(UInt64(consumedDeciampHours.map { -Self.clamp($0, -0xF_FFFE...0) } ?? 0xF_FFFF), into: &bytes, bit: 88, count: 20)
        PackedBits.write(UInt64(stateOfChargePerMille.map { Self.clamp($0, 0...1000) } ?? 0x3FF), into: &bytes, bit: 108, count: 10)
        // Bits 118-119 are unused; the published captures have them set (Victron pads with ones).
        PackedBits.write(0b11, into: &bytes, bit: 118, count: 2)
        return bytes
    }

    private static func roundedTenth(_ value: Int) -> Int {
        // Clamped first so that no Int, however large, can overflow the arithmetic.
        let millivolts = clamp(value, -1_000_000...1_000_000)
        return millivolts >= 0 ? (millivolts + 5) / 10 : -((-millivolts + 5) / 10)
    }

    private static func clamp(_ value: Int, _ range: ClosedRange<Int>) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }
}
