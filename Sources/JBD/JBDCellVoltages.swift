/// Register 0x04: the cell voltages, uint16 mV each, cell 1 first.
public struct JBDCellVoltages: Sendable, Hashable {
    /// Cell voltages in millivolts, as many as the BMS sent.
    public var cellMillivolts: [Int]

    /// These cells.
    public init(cellMillivolts: [Int]) { self.cellMillivolts = cellMillivolts }

    /// Decodes the data bytes of a 0x04 reply; nil for an odd byte count (a half cell).
    public init?(data: [UInt8]) {
        guard data.count % 2 == 0 else { return nil }
        cellMillivolts = stride(from: 0, to: data.count, by: 2).map { Int(data[$0]) << 8 | Int(data[$0 + 1]) }
    }

    /// The data bytes of a 0x04 reply (each cell kept to 16 bits).
    public var data: [UInt8] {
        cellMillivolts.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] }
    }
}
