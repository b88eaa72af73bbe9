import BMSCore
import VEDirect

/// The pure part of the VE.Direct monitor source: text-protocol bytes in, states of charge out
/// (rule 10). Blocks without a valid `SOC` give nothing.
public struct VEDirectInputDecoder: InputDecoder {
    /// The streaming block decoder, with its counters.
    public private(set) var decoder = VEDirectDecoder()

    public init() {}

    /// Blocks whose checksum matched, and blocks discarded.
    public var counters: VEDirectCounters { decoder.counters }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into inputs: inout [Controller.Input]) {
        decoder.feed(bytes) { block in
            if let percent = block.stateOfChargePercent { inputs.append(.stateOfCharge(percent: percent)) }
        }
    }

    public mutating func reset() { decoder.reset() }
}
