import BMSCore

/// Inputs with their instants, packed into one byte array: what the flight recorder keeps.
///
/// A reading of 8 cells and one temperature takes 31 bytes here, against about 250 as a
/// ``BatteryReading`` with its two arrays, so ten minutes of a 20-battery bank fit in well under
/// a megabyte, and appending allocates nothing once the array has grown. A record:
/// nanoseconds since the origin (Int64, little-endian), a kind byte (0 reading, 1 remote off,
/// 2 remote on, 3 state of charge), then for a reading battery, flags, the cell count, the cells
/// (UInt16), the temperature count, the temperatures (Int16); for a state of charge the Double's
/// 8 bytes. Values an M8 sentence cannot carry (cells over 65535 mV, temperatures outside
/// Int16) are clamped: the incident file writes readings as M8 sentences anyway.
public struct PackedInputs: Sendable, Hashable {
    /// The records, back to back.
    public private(set) var bytes: [UInt8]

    /// No inputs.
    public init() { bytes = [] }

    /// Records cut from another buffer at record boundaries.
    init(bytes: ArraySlice<UInt8>) { self.bytes = Array(bytes) }

    /// The inputs of `entries`, packed.
    public init(_ entries: [FlightRecorder.Entry]) {
        bytes = []
        for entry in entries { append(entry.input, at: entry.at) }
    }

    private enum Kind: UInt8 {
        case reading = 0, remoteOff = 1, remoteOn = 2, stateOfCharge = 3
    }

    /// Adds `input` taken at `instant`.
    public mutating func append(_ input: Controller.Input, at instant: Instant) {
        let nanoseconds = instant.nanosecondsSinceOrigin
        switch input {
        case .reading(let reading):
            let cells = min(reading.cellMillivolts.count, 255)
            let temperatures = min(reading.temperatureDecicelsius.count, 255)
            // Written on the stack and appended in one copy: this runs for every reading (the recorder's ring).
            let size = 13 + 2 * cells + 2 * temperatures
            withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { record in
                var offset = 0
                func put<Value: FixedWidthInteger>(_ value: Value) {
                    record.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
                    offset += MemoryLayout<Value>.size
                }
                put(nanoseconds)
                put(Kind.reading.rawValue)
                put(UInt8(clamping: reading.battery))
                put(reading.flags.rawValue)
                put(UInt8(cells))
                for index in 0..<cells { put(UInt16(clamping: reading.cellMillivolts[index])) }
                put(UInt8(temperatures))
                for index in 0..<temperatures { put(Int16(clamping: reading.temperatureDecicelsius[index])) }
                bytes.append(contentsOf: UnsafeRawBufferPointer(record))
            }
        case .remote(let on):
            appendInteger(nanoseconds)
            bytes.append(on ? Kind.remoteOn.rawValue : Kind.remoteOff.rawValue)
        case .stateOfCharge(let percent):
            appendInteger(nanoseconds)
            bytes.append(Kind.stateOfCharge.rawValue)
            appendInteger(percent.bitPattern)
        }
    }

    private mutating func appendInteger<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private func integer(at offset: Int, bytes count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * index) }
        return value
    }

    /// Offset one past the last record.
    public var endOffset: Int { bytes.count }

    /// The instant of the record at `offset`.
    public func instant(at offset: Int) -> Instant {
        Instant(nanosecondsSinceOrigin: Int64(bitPattern: integer(at: offset, bytes: 8)))
    }

    /// Whether the record at `offset` is a reading (the ones the ring needs not look into).
    public func isReading(at offset: Int) -> Bool { bytes[offset + 8] == Kind.reading.rawValue }

    /// The offset of the record after the one at `offset`.
    public func offset(after offset: Int) -> Int {
        let body = offset + 9
        switch Kind(rawValue: bytes[offset + 8]) {
        case .reading:
            let cells = Int(bytes[body + 2])
            let temperatures = Int(bytes[body + 3 + 2 * cells])
            return body + 4 + 2 * cells + 2 * temperatures
        case .stateOfCharge: return body + 8
        default: return body
        }
    }

    /// The input of the record at `offset`.
    public func input(at offset: Int) -> Controller.Input {
        let body = offset + 9
        switch Kind(rawValue: bytes[offset + 8]) {
        case .reading:
            let cellCount = Int(bytes[body + 2])
            let cells = (0..<cellCount).map { Int(integer(at: body + 3 + 2 * $0, bytes: 2)) }
            let temperatureStart = body + 4 + 2 * cellCount
            let temperatureCount = Int(bytes[temperatureStart - 1])
            let temperatures = (0..<temperatureCount).map {
                Int(Int16(bitPattern: UInt16(integer(at: temperatureStart + 2 * $0, bytes: 2))))
            }
            return .reading(BatteryReading(
                battery: Int(bytes[body]), flags: BatteryFlags(rawValue: bytes[body + 1]),
                cellMillivolts: cells, temperatureDecicelsius: temperatures))
        case .remoteOn: return .remote(on: true)
        case .stateOfCharge: return .stateOfCharge(percent: Double(bitPattern: integer(at: body, bytes: 8)))
        default: return .remote(on: false)
        }
    }

    /// Every record, decoded, in order.
    public var entries: [FlightRecorder.Entry] {
        var result: [FlightRecorder.Entry] = []
        var offset = 0
        while offset < bytes.count {
            result.append(FlightRecorder.Entry(at: instant(at: offset), input: input(at: offset)))
            offset = self.offset(after: offset)
        }
        return result
    }

    /// Drops the first `count` bytes (a record boundary).
    mutating func removeFirst(_ count: Int) { bytes.removeFirst(count) }

    /// The records from `start` to `end` (record boundaries).
    func slice(_ start: Int, _ end: Int) -> PackedInputs { PackedInputs(bytes: bytes[start..<end]) }
}
