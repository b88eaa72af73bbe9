/// What a decoder made of one advertisement.
public enum InstantReadoutOutcome<Value: Sendable & Hashable>: Sendable, Hashable {
    /// A fresh record: decrypted with the key, its data counter moved, every check passed.
    case fresh(Value)
    /// The same data counter as the last fresh record: the device sent it again. Not fresh.
    case repeated(dataCounter: UInt16)
    /// No reading, and why.
    case refused(InstantReadoutError)

    /// The value of a fresh outcome, else nil.
    public var freshValue: Value? {
        if case .fresh(let value) = self { return value }
        return nil
    }
}
