/// One 0x95 frame: its number (1-based) and three cell voltages (the last data byte is unused).
public struct DalyCellVoltageFrame: Sendable, Hashable {
    /// Frame number: cells 3n-2 to 3n.
    public var number: Int
    /// Three cell voltages, mV.
    public var cellMillivolts: [Int]

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        number = Int(frame.data[0])
        cellMillivolts = [frame.word(1), frame.word(3), frame.word(5)]
    }

    /// A frame's data with these fields (missing cells as 0).
    public static func data(number: Int, cellMillivolts: [Int]) -> [UInt8] {
        let cells = (cellMillivolts + [0, 0, 0]).prefix(3)
        return [UInt8(truncatingIfNeeded: number)] + cells.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] } + [0]
    }
}
