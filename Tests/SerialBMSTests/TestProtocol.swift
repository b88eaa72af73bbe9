import BMSCore
import SerialBMS

/// A minimal protocol for exercising ``PollSession`` alone: requests `3C <reg>`, replies
/// `7E <reg> <value> <reg ^ value ^ FF>`; a cycle reads registers 1 and 2 and reports them as two cells (x 10 mV).
struct TestProtocol: PollProtocol {
    var name: String { "test" }
    var defaultBaud: Int { 9600 }
    var supportedBauds: [Int] { [9600] }
    func defaultReplyTimeout(baud _: Int) -> Duration { .milliseconds(100) }
    func makeDecoder() -> TestDecoder { TestDecoder() }
    func makeCycle(expectedCells _: Int) -> TestCycle { TestCycle() }

    static func request(_ register: UInt8) -> [UInt8] { [0x3C, register] }
    static func reply(_ register: UInt8, _ value: UInt8) -> [UInt8] { [0x7E, register, value, register ^ value ^ 0xFF] }
}

struct TestFrame: Sendable, Equatable {
    var register: UInt8
    var value: UInt8
}

struct TestDecoder: FrameDecoder {
    private var scanner = FrameScanner(startByte: 0x7E, maxFrameLength: 4)
    var counters: FrameCounters { scanner.counters }
    var heldByteCount: Int { scanner.heldByteCount }
    mutating func reset() { scanner.reset() }
    mutating func feed<C: Collection>(_ bytes: C, _ deliver: (TestFrame) -> Void) where C.Element == UInt8 {
        scanner.feed(bytes, examine: { held in
            guard held.count >= 4 else { return .needMore }
            return held[3] == held[1] ^ held[2] ^ 0xFF ? .complete(length: 4) : .bad(.checksum)
        }, deliver: { deliver(TestFrame(register: $0[1], value: $0[2])) })
    }
}

struct TestCycle: PollCycle {
    private var index = -1
    private var values: [UInt8: UInt8] = [:]
    private let registers: [UInt8] = [1, 2]

    mutating func nextRequest() -> [UInt8]? {
        index += 1
        return index < registers.count ? TestProtocol.request(registers[index]) : nil
    }

    mutating func take(_ frame: TestFrame) -> FrameVerdict {
        guard index < registers.count, frame.register == registers[index] else { return .wrongRegister }
        if frame.value == 0xFF { return .invalid }
        values[frame.register] = frame.value
        return .completes
    }

    mutating func requestTimedOut() {}

    func reading(battery: Int) -> BatteryReading? {
        guard let first = values[1], let second = values[2] else { return nil }
        return BatteryReading(battery: battery, flags: .normal, cellMillivolts: [Int(first) * 10, Int(second) * 10], temperatureDecicelsius: [])
    }
}
