/// A device's 16-byte Instant Readout key (AES-128), the secret that decrypts its advertisements.
///
/// The key is never printed: `description`, `debugDescription`, `String(describing:)`, string
/// interpolation and `dump` (an empty mirror) all give only ``redacted``, its first byte (which
/// every advertisement sends in clear as the key check byte) and a short hash to tell two keys apart.
public struct InstantReadoutKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The key length in bytes.
    public static let byteCount = 16

    /// The 16 key bytes; inside the module only.
    let bytes: [UInt8]

    /// The key as it may appear in a log or status file: `aa…#3f2c91d0`, its first byte in hex, then
    /// the first 4 bytes of the SHA-256 of the whole key. Never the key.
    public let redacted: String

    /// Parses the key as VictronConnect shows it: 32 hex digits, either case. Surrounding whitespace
    /// and the separators space, `:` and `-` are ignored, so `aa:bb:...` and `aabb ccdd ...` work;
    /// anything else is refused with an ``InstantReadoutKeyError`` saying what is allowed.
    public init(hex text: String) throws(InstantReadoutKeyError) {
        var digits: [UInt8] = []
        var position = 0
        for scalar in text.unicodeScalars {
            position += 1
            switch scalar {
            case "0"..."9": digits.append(UInt8(scalar.value - 0x30))
            case "a"..."f": digits.append(UInt8(scalar.value - 0x61 + 10))
            case "A"..."F": digits.append(UInt8(scalar.value - 0x41 + 10))
            case " ", ":", "-", "\t", "\n", "\r": continue
            default: throw .notHex(position: position)
            }
            // Stop collecting a runaway text early; its length is still reported.
            if digits.count > 2 * Self.byteCount + 1 { digits.removeLast() }
        }
        guard digits.count == 2 * Self.byteCount else {
            throw .wrongLength(digits: Self.countDigits(text))
        }
        self.init(checked: (0..<Self.byteCount).map { digits[2 * $0] << 4 | digits[2 * $0 + 1] })
    }

    /// A key from its 16 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.init(checked: bytes)
    }

    private init(checked bytes: [UInt8]) {
        self.bytes = bytes
        let first = Self.hex(bytes[0])
        switch LibCrypto.sha256(bytes) {
        case .success(let digest):
            redacted = first + "…#" + digest.prefix(4).map(Self.hex).joined()
        case .failure:
            // Without libcrypto's SHA-256 the key could not be decrypted either; never fall back to key bytes.
            redacted = first + "…#(no hash)"
        }
    }

    /// The key's first byte: what every advertisement made with this key carries as its key check byte.
    public var checkByte: UInt8 { bytes[0] }

    /// ``redacted``, never the key.
    public var description: String { redacted }
    /// ``redacted``, never the key.
    public var debugDescription: String { "InstantReadoutKey(\(redacted))" }
    /// No children: `dump` and debuggers' mirrors must not reach the bytes.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    private static func countDigits(_ text: String) -> Int {
        text.unicodeScalars.filter { $0.properties.isASCIIHexDigit }.count
    }
}
