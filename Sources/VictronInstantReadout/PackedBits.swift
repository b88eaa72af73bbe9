/// Bit fields packed LSB-first over a little-endian byte stream, as every Instant Readout record
/// is: bit n is bit (n % 8) of byte n / 8, and a field's lowest bit comes first.
enum PackedBits {
    /// The `count`-bit field (at most 64) starting at bit `offset`; bits beyond the bytes read as 0
    /// (callers check the record's length first).
    static func read(_ bytes: [UInt8], bit offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count {
            let bit = offset + index
            let byte = bit / 8
            guard byte < bytes.count else { break }
            if bytes[byte] & (1 << UInt8(bit % 8)) != 0 { value |= 1 << UInt64(index) }
        }
        return value
    }

    /// Sets the `count`-bit field at bit `offset` to the low `count` bits of `value`.
    static func write(_ value: UInt64, into bytes: inout [UInt8], bit offset: Int, count: Int) {
        for index in 0..<count {
            let bit = offset + index
            let byte = bit / 8
            guard byte < bytes.count else { break }
            let mask = UInt8(1) << UInt8(bit % 8)
            if (value >> UInt64(index)) & 1 != 0 { bytes[byte] |= mask } else { bytes[byte] &= ~mask }
        }
    }

    /// `raw` (a `count`-bit two's-complement field) as a signed number.
    static func signed(_ raw: UInt64, count: Int) -> Int {
        let sign: UInt64 = 1 << UInt64(count - 1)
        return raw & sign != 0 ? Int(raw) - Int(sign << 1) : Int(raw)
    }

    /// The low `count` bits of `value` in two's complement, for writing a signed field.
    static func twosComplement(_ value: Int, count: Int) -> UInt64 {
        UInt64(bitPattern: Int64(value)) & ((1 << UInt64(count)) - 1)
    }
}
