/// The manufacturer data of a Victron Instant Readout advertisement: the bytes after the company
/// id 0x02E1 (BlueZ gives `ManufacturerData` as a dict of company id -> these bytes).
///
/// `[0]` 0x10 · `[1]` a second prefix byte · `[2..3]` product id (LE) · `[4]` record type ·
/// `[5..6]` data counter (LE, the AES-CTR nonce) · `[7]` key check byte (= key[0]) · `[8...]` ciphertext.
public struct InstantReadoutAdvertisement: Sendable, Hashable {
    /// Victron Energy's Bluetooth company id, the key of the manufacturer data.
    public static let companyID: UInt16 = 0x02E1
    /// The first byte of a product advertisement.
    public static let productAdvertisementPrefix: UInt8 = 0x10
    /// Bytes before the ciphertext.
    public static let headerLength = 8
    /// The longest ciphertext: one AES block (Victron's own decoder refuses longer ones too).
    public static let maxCiphertextLength = 16

    /// Byte 1, after 0x10; seen as 0x02 (SmartShunt) and 0x00 (Smart Battery Sense). Not interpreted.
    public var secondPrefixByte: UInt8
    /// The product id, e.g. 0xA389 for a SmartShunt 500A/50mV.
    public var productID: UInt16
    /// Which record the ciphertext holds: 0x05 Smart Lithium, 0x02 battery monitor.
    public var recordType: UInt8
    /// The data counter, also the AES-CTR nonce; it moves when the device has new data.
    public var dataCounter: UInt16
    /// The first byte of the key the ciphertext was made with.
    public var keyCheckByte: UInt8
    /// The encrypted record, 1 to 16 bytes.
    public var ciphertext: [UInt8]

    /// An advertisement from its fields.
    public init(secondPrefixByte: UInt8, productID: UInt16, recordType: UInt8, dataCounter: UInt16, keyCheckByte: UInt8, ciphertext: [UInt8]) {
        self.secondPrefixByte = secondPrefixByte
        self.productID = productID
        self.recordType = recordType
        self.dataCounter = dataCounter
        self.keyCheckByte = keyCheckByte
        self.ciphertext = ciphertext
    }

    /// Parses the header of `manufacturerData` (the bytes after the company id). Refuses fewer than 9
    /// bytes, more than 24, and a first byte other than 0x10
    /// (checked first).
    public init(manufacturerData: some Collection<UInt8>) throws(InstantReadoutError) {
        let bytes = Array(manufacturerData)
        // The prefix first: another kind of Victron advertisement is foreign whatever its length.
        guard let prefix = bytes.first else { throw .tooShort(length: 0) }
        guard prefix == Self.productAdvertisementPrefix else { throw .notProductAdvertisement(prefix: prefix) }
        guard bytes.count > Self.headerLength else { throw .tooShort(length: bytes.count) }
        guard bytes.count <= Self.headerLength + Self.maxCiphertextLength else { throw .tooLong(length: bytes.count) }
        self.init(
            secondPrefixByte: bytes[1], productID: UInt16(bytes[2]) | UInt16(bytes[3]) << 8, recordType: bytes[4],
            dataCounter: UInt16(bytes[5]) | UInt16(bytes[6]) << 8, keyCheckByte: bytes[7],
            ciphertext: Array(bytes[Self.headerLength...]))
    }

    /// The manufacturer data bytes, as a device sends them.
    public var manufacturerData: [UInt8] {
        [Self.productAdvertisementPrefix, secondPrefixByte, UInt8(productID & 0xFF), UInt8(productID >> 8), recordType,
         UInt8(dataCounter & 0xFF), UInt8(dataCounter >> 8), keyCheckByte] + ciphertext
    }

    /// AES-CTR's initial counter block: the two data counter bytes as sent, then 14 zero bytes.
    public var initialCounterBlock: [UInt8] {
        [UInt8(dataCounter & 0xFF), UInt8(dataCounter >> 8)] + [UInt8](repeating: 0, count: 14)
    }

    /// The decrypted record, after checking the key check byte against `key`.
    public func decrypted(with key: InstantReadoutKey) throws(InstantReadoutError) -> [UInt8] {
        guard keyCheckByte == key.checkByte else { throw .keyMismatch(checkByte: keyCheckByte) }
        switch LibCrypto.aes128CTR(key: key.bytes, initialCounterBlock: initialCounterBlock, bytes: ciphertext) {
        case .success(let plaintext): return plaintext
        case .failure(let failure): throw .cryptoFailure(call: failure.call)
        }
    }

    /// The advertisement a device with `key` sends for `plaintext` (1 to 16 bytes): the record
    /// encrypted with AES-128-CTR under the data counter, and the key's first byte as check byte.
    public static func sealing(
        plaintext: [UInt8], key: InstantReadoutKey, recordType: UInt8, dataCounter: UInt16, productID: UInt16,
        secondPrefixByte: UInt8 = 0x02
    ) throws(InstantReadoutError) -> InstantReadoutAdvertisement {
        guard !plaintext.isEmpty else { throw .tooShort(length: headerLength) }
        guard plaintext.count <= maxCiphertextLength else { throw .tooLong(length: headerLength + plaintext.count) }
        var advertisement = InstantReadoutAdvertisement(
            secondPrefixByte: secondPrefixByte, productID: productID, recordType: recordType, dataCounter: dataCounter,
            keyCheckByte: key.checkByte, ciphertext: [])
        switch LibCrypto.aes128CTR(key: key.bytes, initialCounterBlock: advertisement.initialCounterBlock, bytes: plaintext) {
        case .success(let ciphertext): advertisement.ciphertext = ciphertext
        case .failure(let failure): throw .cryptoFailure(call: failure.call)
        }
        return advertisement
    }
}
