/// One D-Bus value, as ``BusConnection`` reads it from a message body or appends it to a call:
/// Swift data, so the BlueZ logic never sees sd-bus.
///
/// Only what BlueZ's interfaces use is typed; anything else read from a message becomes
/// ``unsupported(_:)`` with its signature (skipped, never guessed at).
public indirect enum BusValue: Sendable, Hashable {
    case byte(UInt8)
    case boolean(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    /// `ay`: read in one piece (a manufacturer data payload).
    case bytes([UInt8])
    /// `a<element>`; `element` is the element signature, so an empty array still has a type.
    case array(element: String, [BusValue])
    /// `{kv}`, only inside an array (a dict is an array of entries).
    case dictEntry(BusValue, BusValue)
    /// `(…)`.
    case structure([BusValue])
    /// `v`.
    case variant(BusValue)
    /// A type this client does not read (a unix fd, say), skipped; its signature.
    case unsupported(String)

    /// The D-Bus signature of this value.
    public var signature: String {
        switch self {
        case .byte: "y"
        case .boolean: "b"
        case .int16: "n"
        case .uint16: "q"
        case .int32: "i"
        case .uint32: "u"
        case .int64: "x"
        case .uint64: "t"
        case .double: "d"
        case .string: "s"
        case .objectPath: "o"
        case .signature: "g"
        case .bytes: "ay"
        case .array(let element, _): "a" + element
        case .dictEntry(let key, let value): "{" + key.signature + value.signature + "}"
        case .structure(let fields): "(" + fields.map(\.signature).joined() + ")"
        case .variant: "v"
        case .unsupported(let signature): signature
        }
    }

    /// `a{sv}` from Swift pairs, in the given order (BlueZ's discovery filter, say).
    public static func stringVariantDictionary(_ entries: [(String, BusValue)]) -> BusValue {
        .array(element: "{sv}", entries.map { .dictEntry(.string($0.0), .variant($0.1)) })
    }

    // MARK: Reading what a message carried

    /// The text of a string, object path or signature; nil for anything else.
    public var text: String? {
        switch self {
        case .string(let text), .objectPath(let text), .signature(let text): text
        default: nil
        }
    }

    /// The boolean, seen through variants; nil for anything else.
    public var boolValue: Bool? {
        switch self {
        case .boolean(let value): value
        case .variant(let inner): inner.boolValue
        default: nil
        }
    }

    /// The bytes of an `ay` (also an `ay` spelled out as an array of bytes), seen through variants.
    public var byteArray: [UInt8]? {
        switch self {
        case .bytes(let bytes): bytes
        case .array(let element, let items) where element == "y":
            items.compactMap { if case .byte(let byte) = $0 { byte } else { nil } }
        case .variant(let inner): inner.byteArray
        default: nil
        }
    }

    /// The value inside a variant (or the value itself).
    public var unwrapped: BusValue {
        if case .variant(let inner) = self { return inner.unwrapped }
        return self
    }

    /// The entries of a dict (`a{..}`) as pairs, seen through variants; nil for anything else.
    public var dictionaryEntries: [(key: BusValue, value: BusValue)]? {
        switch self {
        case .array(_, let items):
            var entries: [(key: BusValue, value: BusValue)] = []
            for item in items {
                guard case .dictEntry(let key, let value) = item else { return nil }
                entries.append((key, value))
            }
            return entries
        case .variant(let inner): return inner.dictionaryEntries
        default: return nil
        }
    }

    /// The value of the entry whose key is the string `key`, in an `a{s…}` dict.
    public subscript(key: String) -> BusValue? {
        dictionaryEntries?.first { $0.key.text == key }?.value
    }

    /// The items of an array, seen through variants.
    public var arrayItems: [BusValue]? {
        switch self {
        case .array(_, let items): items
        case .variant(let inner): inner.arrayItems
        default: nil
        }
    }
}
