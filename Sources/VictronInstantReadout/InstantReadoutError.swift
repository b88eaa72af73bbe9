/// Why an advertisement gave no reading. Faults are data: the decoders return these and count them.
public enum InstantReadoutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Fewer bytes than the 8-byte header and one byte of ciphertext.
    case tooShort(length: Int)
    /// More than 16 bytes of ciphertext (8 + 16 bytes in all): no Instant Readout record is that long.
    case tooLong(length: Int)
    /// The first byte is not 0x10 (product advertisement): some other Victron advertisement.
    case notProductAdvertisement(prefix: UInt8)
    /// A record of another type than the decoder reads (e.g. a SmartShunt's 0x02 where a battery's 0x05 was expected).
    case otherRecordType(UInt8, expected: UInt8)
    /// The key check byte differs from the configured key's first byte: a wrong or changed key.
    case keyMismatch(checkByte: UInt8)
    /// The decrypted record is shorter than its type's fields need.
    case recordTooShort(recordType: UInt8, length: Int, needed: Int)
    /// Cell `cell` (1-based) has a value although an earlier cell is "not available", and the 4
    /// available cells would pass a 4-cell bank's count with a cell in the wrong place: no real
    /// battery sends that, so the bytes are not to be trusted.
    case cellAfterMissingCell(cell: Int)
    /// All 8 cells and the battery voltage are there but do not add up: the sign of a key whose first
    /// byte is right and the rest wrong (decryption then gives noise that passes the key check).
    case cellsDoNotAddUp(batteryMillivolts: Int, cellSumMillivolts: Int)
    /// libcrypto failed (named call); nothing was decrypted.
    case cryptoFailure(call: String)

    /// Says what is wrong and what to check, for an installer.
    public var description: String {
        switch self {
        case .tooShort(let length):
            return "advertisement of \(length) bytes is too short for Instant Readout (needs at least 9 after the company id 0x02E1)"
        case .tooLong(let length):
            return "advertisement of \(length) bytes is too long for Instant Readout (at most 24 after the company id 0x02E1)"
        case .notProductAdvertisement(let prefix):
            return "not an Instant Readout product advertisement (first byte 0x\(hex(prefix)), expected 0x10)"
        case .otherRecordType(let type, let expected):
            return "record type 0x\(hex(type)), expected 0x\(hex(expected)): check that the configured Bluetooth "
                + "address is the right device (0x05 = Lithium Battery Smart, 0x02 = SmartShunt/BMV)"
        case .keyMismatch(let checkByte):
            return "the advertisement's key check byte 0x\(hex(checkByte)) is not the configured key's first byte: the key is "
                + "wrong or was changed; copy it again from VictronConnect (Product info -> Instant readout details)"
        case .recordTooShort(let type, let length, let needed):
            return "record 0x\(hex(type)) of \(length) bytes, needs \(needed)"
        case .cellAfterMissingCell(let cell):
            return "cell \(cell) has a value after a cell marked not available: record not trusted (check the key)"
        case .cellsDoNotAddUp(let battery, let sum):
            return "battery voltage \(battery) mV but its cells add up to \(sum) mV: record not trusted "
                + "(check the key: one with the right first byte and wrong rest decrypts to noise)"
        case .cryptoFailure(let call):
            return "libcrypto failed (\(call)): check the OpenSSL installation (libssl3)"
        }
    }

    private func hex(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16, uppercase: true)
        return text.count == 1 ? "0" + text : text
    }
}
