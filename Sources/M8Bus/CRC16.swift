/// The CRC the M8 bus adapter puts after `*`.
///
/// Only one variant is needed, CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF,
/// no reflection, no final XOR), so this is a namespace rather than a configurable engine.
public enum CRC16 {
    /// One entry per possible top byte, so the decoder pays one lookup per byte instead of
    /// eight shift/xor rounds; the decoder has to keep up with a saturated UART many times over.
    static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    /// CRC-16/CCITT-FALSE of `bytes`; the check value of the ASCII bytes `123456789` is 0x29B1.
    ///
    /// Generic so callers can pass a `String.UTF8View`, an `Array` or a slice without copying;
    /// contiguous inputs take the pointer path, the rest fall back to plain iteration.
    public static func ccittFalse<S: Sequence>(_ bytes: S) -> UInt16 where S.Element == UInt8 {
        if let crc = bytes.withContiguousStorageIfAvailable({ update(0xFFFF, $0) }) {
            return crc
        }
        return table.withUnsafeBufferPointer { table in
            var crc: UInt16 = 0xFFFF
            for byte in bytes {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
            }
            return crc
        }
    }

    /// Continues a running CRC over `buffer`; the decoder calls this on its own buffer so the
    /// hot path involves no generics and no copies.
    static func update(_ start: UInt16, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt16 {
        table.withUnsafeBufferPointer { table in
            var crc = start
            for byte in buffer {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
            }
            return crc
        }
    }
}
