/// 0x91: highest and lowest cell voltage and which cells.
public struct DalyCellExtremes: Sendable, Hashable {
    /// Highest cell, mV.
    public var maxMillivolts: Int
    /// Its cell number.
    public var maxCell: Int
    /// Lowest cell, mV.
    public var minMillivolts: Int
    /// Its cell number.
    public var minCell: Int

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        maxMillivolts = frame.word(0)
        maxCell = Int(frame.data[2])
        minMillivolts = frame.word(3)
        minCell = Int(frame.data[5])
    }
}
