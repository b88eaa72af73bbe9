/// Register 0x03, every field (big-endian), as a JBD sends it.
public struct JBDBasicInfo: Sendable, Hashable {
    /// Fixed part before the NTC temperatures: 23 bytes.
    public static let fixedLength = 23

    /// Pack voltage, x 0.01 V.
    public var packCentivolts: Int
    /// Current, x 0.01 A, positive while charging.
    public var currentCentiamps: Int
    /// Remaining capacity, x 0.01 Ah.
    public var remainingCentiampHours: Int
    /// Nominal capacity, x 0.01 Ah.
    public var nominalCentiampHours: Int
    /// Charge cycles.
    public var cycles: Int
    /// Production date as sent: `(year - 2000) << 9 | month << 5 | day`.
    public var productionDateRaw: UInt16
    /// Balancing bits: bit i = cell i + 1 is being balanced (cells 1-16 in the low word, 17-32 in the high).
    public var balanceBits: UInt32
    /// Active protections.
    public var protection: JBDProtection
    /// Software version byte (0x80 = 8.0).
    public var softwareVersion: UInt8
    /// State of charge, %.
    public var stateOfChargePercent: Int
    /// FET bits: b0 charge FET on, b1 discharge FET on.
    public var fetBits: UInt8
    /// Cell count the BMS states.
    public var cellCount: Int
    /// NTC temperatures in 0.1 K as sent (C = (raw - 2731) / 10).
    public var ntcDecikelvin: [Int]
    /// Bytes after the NTC temperatures (newer firmware appends fields), kept as sent.
    public var extra: [UInt8]

    /// Field by field.
    public init(
        packCentivolts: Int, currentCentiamps: Int, remainingCentiampHours: Int, nominalCentiampHours: Int,
        cycles: Int, productionDateRaw: UInt16, balanceBits: UInt32, protection: JBDProtection,
        softwareVersion: UInt8, stateOfChargePercent: Int, fetBits: UInt8, cellCount: Int,
        ntcDecikelvin: [Int], extra: [UInt8] = []
    ) {
        self.packCentivolts = packCentivolts
        self.currentCentiamps = currentCentiamps
        self.remainingCentiampHours = remainingCentiampHours
        self.nominalCentiampHours = nominalCentiampHours
        self.cycles = cycles
        self.productionDateRaw = productionDateRaw
        self.balanceBits = balanceBits
        self.protection = protection
        self.softwareVersion = softwareVersion
        self.stateOfChargePercent = stateOfChargePercent
        self.fetBits = fetBits
        self.cellCount = cellCount
        self.ntcDecikelvin = ntcDecikelvin
        self.extra = extra
    }

    /// Decodes the data bytes of a 0x03 reply; nil when they are shorter than the fixed part
    /// plus the NTC temperatures the NTC count announces.
    public init?(data: [UInt8]) {
        guard data.count >= Self.fixedLength else { return nil }
        func word(_ index: Int) -> Int { Int(data[index]) << 8 | Int(data[index + 1]) }
        let ntcCount = Int(data[22])
        guard data.count >= Self.fixedLength + 2 * ntcCount else { return nil }
        packCentivolts = word(0)
        currentCentiamps = Int(Int16(bitPattern: UInt16(word(2))))
        remainingCentiampHours = word(4)
        nominalCentiampHours = word(6)
        cycles = word(8)
        productionDateRaw = UInt16(word(10))
        balanceBits = UInt32(word(14)) << 16 | UInt32(word(12))
        protection = JBDProtection(rawValue: UInt16(word(16)))
        softwareVersion = data[18]
        stateOfChargePercent = Int(data[19])
        fetBits = data[20]
        cellCount = Int(data[21])
        ntcDecikelvin = (0..<ntcCount).map { word(Self.fixedLength + 2 * $0) }
        extra = Array(data[(Self.fixedLength + 2 * ntcCount)...])
    }

    /// The data bytes of a 0x03 reply with these fields (values kept to their field widths).
    public var data: [UInt8] {
        func word(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        var bytes = word(packCentivolts) + word(currentCentiamps) + word(remainingCentiampHours)
        bytes += word(nominalCentiampHours) + word(cycles) + word(Int(productionDateRaw))
        bytes += word(Int(balanceBits & 0xFFFF)) + word(Int(balanceBits >> 16)) + word(Int(protection.rawValue))
        bytes += [softwareVersion, UInt8(truncatingIfNeeded: stateOfChargePercent), fetBits]
        bytes += [UInt8(truncatingIfNeeded: cellCount), UInt8(truncatingIfNeeded: ntcDecikelvin.count)]
        for raw in ntcDecikelvin { bytes += word(raw) }
        return bytes + extra
    }

    /// The charge FET is on (b0).
    public var chargeFETOn: Bool { fetBits & 0x01 != 0 }
    /// The discharge FET is on (b1).
    public var dischargeFETOn: Bool { fetBits & 0x02 != 0 }
    /// Production year (2000 + the top 7 bits).
    public var productionYear: Int { 2000 + Int(productionDateRaw >> 9) }
    /// Production month, 1-12.
    public var productionMonth: Int { Int(productionDateRaw >> 5 & 0x0F) }
    /// Production day of the month.
    public var productionDay: Int { Int(productionDateRaw & 0x1F) }
    /// NTC temperatures in 0.1 C: raw 0.1 K minus 2731 (0 C = 273.1 K as JBD rounds it).
    public var temperatureDecicelsius: [Int] { ntcDecikelvin.map { $0 - 2731 } }
    /// ATD: the discharge FET is on and no protection that stops discharge is active.
    public var allowsDischarge: Bool { dischargeFETOn && protection.isDisjoint(with: .blocksDischarge) }
    /// ATC: the charge FET is on and no protection that stops charge is active.
    public var allowsCharge: Bool { chargeFETOn && protection.isDisjoint(with: .blocksCharge) }
}
