/// One register-tagged value of a JK "4E 57" frame's data: a tag byte and its value bytes.
public struct JKField: Sendable, Hashable {
    /// The register tag (0x79 cells, 0x80 MOSFET temperature, ...).
    public var tag: UInt8
    /// The value bytes as sent (for 0x79, without its length byte).
    public var value: [UInt8]

    /// A field.
    public init(tag: UInt8, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// Bytes of the value that follow `tag`, for every fixed-size tag a B-series sends
    /// (syssi/esphome-jk-bms `jk_bms.cpp`, the dbus-serialbattery `jkbms` class). 0x79 has a
    /// length byte of its own; nil means an unknown tag, whose size cannot be known.
    public static func valueLength(of tag: UInt8) -> Int? {
        switch tag {
        case 0x80...0x84, 0x87, 0x88, 0x8A...0x9C, 0x9E...0xA8, 0xAD, 0xB0: return 2
        case 0x85, 0x86, 0x9D, 0xA9, 0xAB, 0xAC, 0xAE, 0xAF, 0xB1, 0xB3, 0xB8, 0xC0: return 1
        case 0x89, 0xAA, 0xB5, 0xB6, 0xB9: return 4
        case 0xB2: return 10
        case 0xB4: return 8
        case 0xB7: return 15
        case 0xBA: return 24
        default: return nil
        }
    }

    /// The field as on the wire.
    public var encoded: [UInt8] {
        tag == JKReadAll.cellsTag ? [tag, UInt8(truncatingIfNeeded: value.count)] + value : [tag] + value
    }
}
