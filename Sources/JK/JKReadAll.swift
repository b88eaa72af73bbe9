/// The data of a JK B-series "read all" (0x06) reply: register-tagged fields, decoded.
public struct JKReadAll: Sendable, Hashable {
    /// Tag of the cell block: a length byte, then per cell its number and mV (uint16).
    public static let cellsTag: UInt8 = 0x79

    /// Every field in the order sent.
    public var fields: [JKField]
    /// Bytes from the first unknown tag on: their layout cannot be known, so they are kept and not read.
    public var unparsed: [UInt8]

    /// These fields.
    public init(fields: [JKField], unparsed: [UInt8] = []) {
        self.fields = fields
        self.unparsed = unparsed
    }

    /// Splits a reply's data into fields; nil when a field runs past the end or the cell block's
    /// length is not a whole number of cells (3 bytes each).
    public init?(data: [UInt8]) {
        var fields: [JKField] = []
        var index = 0
        while index < data.count {
            let tag = data[index]
            if tag == Self.cellsTag {
                guard index + 1 < data.count else { return nil }
                let length = Int(data[index + 1])
                guard length % 3 == 0, index + 2 + length <= data.count else { return nil }
                fields.append(JKField(tag: tag, value: Array(data[(index + 2)..<(index + 2 + length)])))
                index += 2 + length
            } else if let length = JKField.valueLength(of: tag) {
                guard index + 1 + length <= data.count else { return nil }
                fields.append(JKField(tag: tag, value: Array(data[(index + 1)..<(index + 1 + length)])))
                index += 1 + length
            } else {
                break
            }
        }
        self.fields = fields
        unparsed = Array(data[index...])
    }

    /// The data bytes of a reply with these fields.
    public var data: [UInt8] { fields.flatMap(\.encoded) + unparsed }

    /// The value of the first field with `tag`.
    public func value(of tag: UInt8) -> [UInt8]? { fields.first { $0.tag == tag }?.value }

    private func word(_ tag: UInt8) -> Int? {
        guard let value = value(of: tag), value.count == 2 else { return nil }
        return Int(value[0]) << 8 | Int(value[1])
    }

    private func byte(_ tag: UInt8) -> Int? { value(of: tag).flatMap { $0.count == 1 ? Int($0[0]) : nil } }

    /// 0x79: cell voltages in mV, in the order sent (each entry: cell number, mV).
    public var cellMillivolts: [Int]? {
        guard let value = value(of: Self.cellsTag) else { return nil }
        return stride(from: 0, to: value.count - value.count % 3, by: 3).map { Int(value[$0 + 1]) << 8 | Int(value[$0 + 2]) }
    }
    /// 0x79: the cell numbers sent beside the voltages.
    public var cellNumbers: [Int]? {
        guard let value = value(of: Self.cellsTag) else { return nil }
        return stride(from: 0, to: value.count - value.count % 3, by: 3).map { Int(value[$0]) }
    }
    /// 0x80: MOSFET temperature, raw (see ``celsius(fromRaw:)``).
    public var mosfetTemperatureRaw: Int? { word(0x80) }
    /// 0x81: battery temperature 1, raw.
    public var battery1TemperatureRaw: Int? { word(0x81) }
    /// 0x82: battery temperature 2, raw.
    public var battery2TemperatureRaw: Int? { word(0x82) }
    /// 0x83: pack voltage, x 0.01 V.
    public var packCentivolts: Int? { word(0x83) }
    /// 0x84: current as sent: bit 15 set = charging, the rest x 0.01 A.
    public var currentRaw: Int? { word(0x84) }
    /// 0x84 decoded: x 0.01 A, positive while charging.
    public var currentCentiamps: Int? {
        currentRaw.map { $0 & 0x8000 != 0 ? $0 & 0x7FFF : -($0 & 0x7FFF) }
    }
    /// 0x85: state of charge, %.
    public var stateOfChargePercent: Int? { byte(0x85) }
    /// 0x86: number of battery temperature sensors.
    public var temperatureSensorCount: Int? { byte(0x86) }
    /// 0x87: charge cycles.
    public var cycles: Int? { word(0x87) }
    /// 0x8A: cell count the BMS is set to.
    public var cellCount: Int? { word(0x8A) }
    /// 0x8B: warning bits (b2 charge OV, b3 discharge UV, b9 battery under-temperature,
    /// b10 cell OV, b11 cell UV, ...).
    public var warnings: UInt16? { word(0x8B).map { UInt16($0) } }
    /// 0x8C: status bits (b0 charging enabled, b1 discharging enabled, b2 balancer).
    public var status: UInt16? { word(0x8C).map { UInt16($0) } }

    /// A JK temperature in whole degrees C from its raw value: 0...100 are the temperature as
    /// is, above 100 means minus (raw - 100): 101 is -1 C, 140 is -40 C.
    ///
    /// The sources disagree by one around the turn: syssi/esphome-jk-bms `jk_bms.cpp` documents
    /// "99 = 99, 100 = 100, 101 = -1, 140 = -40" and decodes `raw > 100 ? -(raw - 100) : raw`;
    /// Louisvdw/dbus-serialbattery's `jkbms.py` decodes `raw < 99 ? raw : 100 - raw`, which
    /// agrees from 101 on but turns 99 into +1 C and 100 into 0 C. JK's own range is 0...100 C
    /// positive (the notes: "0..100 C as is"), so esphome's reading is taken: it is the only one
    /// that is continuous on both sides, and the disputed raws 99 and 100 then stay hot (99/100 C)
    /// instead of becoming a harmless-looking 1/0 C: the charger stays off, the fail-safe side.
    public static func celsius(fromRaw raw: Int) -> Int { raw > 100 ? -(raw - 100) : raw }

    /// The raw value of a temperature in whole degrees C (the inverse of ``celsius(fromRaw:)``;
    /// below -100 C or above 100 C it is clamped, the protocol cannot say more).
    public static func raw(fromCelsius celsius: Int) -> Int { celsius >= 0 ? min(celsius, 100) : 100 + min(-celsius, 0xFFFF - 100) }

    /// Battery temperatures (0x81, 0x82; not the MOSFET's) in 0.1 C, as many as 0x86 says the
    /// pack has when it says so. The MOSFET temperature is the BMS board's, not the cells': it runs
    /// hot under load, and taking it would cut the charger for a warm board.
    public var batteryTemperatureDecicelsius: [Int] {
        var raws = [battery1TemperatureRaw, battery2TemperatureRaw].compactMap { $0 }
        if let count = temperatureSensorCount, count < raws.count { raws = Array(raws.prefix(count)) }
        return raws.map { Self.celsius(fromRaw: $0) * 10 }
    }
}
