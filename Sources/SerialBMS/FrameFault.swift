/// Why a frame candidate was refused by a protocol's framing rules.
public enum FrameFault: Sendable, Hashable {
    /// The checksum does not match the bytes it covers.
    case checksum
    /// The length field is impossible or the content does not fit it.
    case length
    /// A fixed byte (header, end marker) is wrong.
    case framing
}
