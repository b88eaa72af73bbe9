/// Why a text is not an Instant Readout key. Never quotes the text: it may be most of a secret.
public enum InstantReadoutKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text has `digits` hex digits (after dropping spaces, `:` and `-`) instead of 32.
    case wrongLength(digits: Int)
    /// The character at `position` (1-based, counting every character of the text) is neither a
    /// hex digit nor one of the separators tolerated between them.
    case notHex(position: Int)

    /// Says what is wrong and what a key looks like, for an installer.
    public var description: String {
        let allowed = "an Instant Readout key is 32 hex digits (0-9, a-f, either case), as VictronConnect shows it under "
            + "Product info -> Instant readout details; spaces, ':' and '-' between the digits are ignored"
        switch self {
        case .wrongLength(let digits):
            return "the key has \(digits) hex digits, not 32: \(allowed)"
        case .notHex(let position):
            return "character \(position) of the key is not a hex digit: \(allowed)"
        }
    }
}
