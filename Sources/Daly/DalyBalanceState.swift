/// 0x97: balancing bits, bit i of the 48 = cell i + 1 (byte 0 bit 0 = cell 1).
public struct DalyBalanceState: Sendable, Hashable {
    /// The six bytes of bits as sent.
    public var bits: [UInt8]

    /// From a frame's data.
    public init(data: [UInt8]) { bits = Array(DalyFrame(address: 0, command: 0, data: data).data.prefix(6)) }

    /// Cell `number` (1-based) is being balanced.
    public func isBalancing(cell number: Int) -> Bool {
        let bit = number - 1
        guard bit >= 0, bit < 48 else { return false }
        return bits[bit / 8] & (1 << (bit % 8)) != 0
    }
}
