/// What one device's decoder received, per outcome, for the status file: many `repeats` are normal
/// (a device sends each record several times), `wrongKey` means the configured key is wrong, `bad`
/// means noise or a key that is wrong beyond its first byte, `foreign` a wrong address.
///
/// Every advertisement counts in exactly one of the other fields:
/// `advertisements == decrypted + repeats + wrongKey + bad + foreign`.
public struct InstantReadoutCounters: Sendable, Hashable {
    /// Every advertisement handed to the decoder.
    public var advertisements: Int
    /// Advertisements that decrypted with the key, with a data counter that moved, and decoded to a
    /// fresh record.
    public var decrypted: Int
    /// Advertisements whose data counter equals that of the last fresh record: not fresh.
    public var repeats: Int
    /// Advertisements whose key check byte is not the key's first byte.
    public var wrongKey: Int
    /// Advertisements too short, too long, or whose record did not decode or is not trusted.
    public var bad: Int
    /// Not a product advertisement (first byte not 0x10), or a record of another type.
    public var foreign: Int

    /// All zero unless given; the labels let tests state an expected set in one expression.
    public init(advertisements: Int = 0, decrypted: Int = 0, repeats: Int = 0, wrongKey: Int = 0, bad: Int = 0, foreign: Int = 0) {
        self.advertisements = advertisements
        self.decrypted = decrypted
        self.repeats = repeats
        self.wrongKey = wrongKey
        self.bad = bad
        self.foreign = foreign
    }
}
