import SerialBMS

/// A simulated JK B-series: answers "read all" requests from its pack; ignores garbage, its own
/// kind of frames from other sources that are not requests, and other commands.
public struct JKResponder: BMSResponder {
    public var pack: SimulatedPack
    /// Warning bits (0x8B) reported.
    public var warnings: UInt16 = 0
    /// Balancer enabled (status bit 2).
    public var balancerEnabled = true
    /// State of charge reported, %.
    public var stateOfChargePercent = 80
    private var decoder = JKDecoder()

    /// A JK reporting `pack`.
    public init(pack: SimulatedPack) { self.pack = pack }

    public mutating func receive<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var requests = 0
        decoder.feed(bytes) { frame in
            if frame.isRequest, frame.command == JKFrame.readAllCommand { requests += 1 }
        }
        return (0..<requests).flatMap { _ in reply() }
    }

    /// The read-all reply for the current pack.
    public func reply() -> [UInt8] {
        JKFrame(command: JKFrame.readAllCommand, source: JKFrame.bmsSource, type: JKFrame.replyType, data: readAll.data).encoded
    }

    /// The read-all content for the current pack (temperatures rounded to whole degrees).
    public var readAll: JKReadAll {
        func word(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        let cells = pack.cellMillivolts.prefix(85).enumerated().flatMap { [UInt8(truncatingIfNeeded: $0.offset + 1)] + word($0.element) }
        let temperatures = pack.temperatureDecicelsius.prefix(2).map { JKReadAll.raw(fromCelsius: Int(($0 >= 0 ? $0 + 5 : $0 - 5) / 10)) }
        let status = (pack.chargeEnabled ? 1 : 0) | (pack.dischargeEnabled ? 2 : 0) | (balancerEnabled ? 4 : 0)
        var fields = [JKField(tag: JKReadAll.cellsTag, value: cells), JKField(tag: 0x80, value: word(25))]
        for (index, raw) in temperatures.enumerated() { fields.append(JKField(tag: 0x81 + UInt8(index), value: word(raw))) }
        fields += [
            JKField(tag: 0x83, value: word(pack.packMillivolts / 10)), JKField(tag: 0x84, value: word(0)),
            JKField(tag: 0x85, value: [UInt8(truncatingIfNeeded: stateOfChargePercent)]),
            JKField(tag: 0x86, value: [UInt8(temperatures.count)]), JKField(tag: 0x87, value: word(3)),
            JKField(tag: 0x8A, value: word(pack.cellMillivolts.count)), JKField(tag: 0x8B, value: word(Int(warnings))),
            JKField(tag: 0x8C, value: word(status)),
        ]
        return JKReadAll(fields: fields)
    }
}
