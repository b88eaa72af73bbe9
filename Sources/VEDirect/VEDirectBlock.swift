/// One checked block of the VE.Direct text protocol: the fields a SmartShunt or BMV sends about
/// once a second, in the order they came, without the `Checksum` field.
public struct VEDirectBlock: Sendable, Hashable {
    /// One `label<TAB>value` field.
    public struct Field: Sendable, Hashable {
        /// The label, e.g. `SOC`, `V`, `I`.
        public var label: String
        /// The value as sent, e.g. `876`.
        public var value: String

        /// A field with `label` and `value`.
        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// The fields of the block, in stream order.
    public var fields: [Field]

    /// A block of `fields`.
    public init(fields: [Field]) { self.fields = fields }

    /// The value of the first field labelled `label`, if any.
    public func value(of label: String) -> String? {
        fields.first { $0.label == label }?.value
    }

    /// The state of charge in percent, from the `SOC` field (sent in tenths of a percent, 0 to 1000).
    /// Nil when the block has none, or when the monitor does not know it (`---`, before its first
    /// synchronisation) or sends something out of range.
    public var stateOfChargePercent: Double? {
        guard let text = value(of: "SOC"), !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              text.utf8.count <= 4, let perMille = Int(text), perMille <= 1000
        else { return nil }
        return Double(perMille) / 10
    }

    /// The block as a monitor sends it: `\r\nlabel\tvalue` per field, then `\r\nChecksum\t` and the
    /// byte that makes the sum of every byte of the block 0 modulo 256. For tests and simulators.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        for field in fields {
            bytes += [0x0D, 0x0A] + Array(field.label.utf8) + [0x09] + Array(field.value.utf8)
        }
        bytes += [0x0D, 0x0A] + Array("Checksum".utf8) + [0x09]
        let sum = bytes.reduce(UInt8(0)) { $0 &+ $1 }
        bytes.append(0 &- sum)
        return bytes
    }
}
