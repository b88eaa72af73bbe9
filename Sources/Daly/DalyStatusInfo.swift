/// 0x94: cell count, NTC count, charger and load status, DIO bits, cycles.
public struct DalyStatusInfo: Sendable, Hashable {
    /// Cells the BMS has.
    public var cellCount: Int
    /// Temperature sensors.
    public var ntcCount: Int
    /// Charger status (0 disconnected, 1 connected).
    public var chargerStatus: Int
    /// Load status (0 disconnected, 1 connected).
    public var loadStatus: Int
    /// Digital I/O bits.
    public var dioBits: UInt8
    /// Charge cycles.
    public var cycles: Int

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        cellCount = Int(frame.data[0])
        ntcCount = Int(frame.data[1])
        chargerStatus = Int(frame.data[2])
        loadStatus = Int(frame.data[3])
        dioBits = frame.data[4]
        cycles = frame.word(5)
    }

    /// 0x95 frames the cells take: three cells a frame.
    public var cellFrameCount: Int { (cellCount + 2) / 3 }
    /// 0x96 frames the temperatures take: seven a frame.
    public var temperatureFrameCount: Int { (ntcCount + 6) / 7 }
}
