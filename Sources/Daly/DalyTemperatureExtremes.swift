/// 0x92: highest and lowest temperature and which sensors.
public struct DalyTemperatureExtremes: Sendable, Hashable {
    /// Highest temperature, whole C (raw - 40).
    public var maxCelsius: Int
    /// Its sensor number.
    public var maxSensor: Int
    /// Lowest temperature, whole C.
    public var minCelsius: Int
    /// Its sensor number.
    public var minSensor: Int

    /// From a frame's data.
    public init(data: [UInt8]) {
        let frame = DalyFrame(address: 0, command: 0, data: data)
        maxCelsius = Int(frame.data[0]) - 40
        maxSensor = Int(frame.data[1])
        minCelsius = Int(frame.data[2]) - 40
        minSensor = Int(frame.data[3])
    }
}
