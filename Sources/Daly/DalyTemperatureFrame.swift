/// One 0x96 frame: its number (1-based) and seven temperatures (raw - 40 C).
public struct DalyTemperatureFrame: Sendable, Hashable {
    /// Frame number: sensors 7n-6 to 7n.
    public var number: Int
    /// Seven temperatures, whole C.
    public var celsius: [Int]

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        number = Int(frame.data[0])
        celsius = frame.data[1...].map { Int($0) - 40 }
    }

    /// A frame's data with these fields (whole C, clamped to what a byte carries: -40 to 215 C).
    public static func data(number: Int, celsius: [Int]) -> [UInt8] {
        let raws = celsius.prefix(7).map { UInt8(min(max($0 + 40, 0), 255)) }
        return [UInt8(truncatingIfNeeded: number)] + raws + [UInt8](repeating: 0, count: 7 - raws.count)
    }
}
