/// What a ``VEDirectDecoder`` has delivered and discarded.
public struct VEDirectCounters: Sendable, Hashable {
    /// Blocks whose checksum matched.
    public var blocks = 0
    /// Blocks discarded: a checksum that did not match, or a block over the length limit.
    public var bad = 0
    /// HEX-protocol frames (`:...\n`) skipped between or inside blocks.
    public var hexFrames = 0

    /// All zero.
    public init() {}
}
