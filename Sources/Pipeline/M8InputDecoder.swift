import BMSCore
import M8Bus

/// The pure part of the M8 adapter source: `$M8B` sentences in, battery readings out.
///
/// behaviour.md, "Where readings come from", row `m8`: ATD is flag bit 0, ATC bit 1, PRE bit 2;
/// a sentence is fresh when its seq is new (the decoder withholds repeats).
public struct M8InputDecoder: InputDecoder {
    /// The streaming sentence decoder, with its counters.
    public private(set) var decoder = SentenceDecoder()

    public init() {}

    /// Good, bad, repeated and foreign sentences so far.
    public var counters: BusCounters { decoder.counters }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into inputs: inout [Controller.Input]) {
        decoder.feed(bytes) { sentence in inputs.append(.reading(BatteryReading(sentence))) }
    }

    public mutating func reset() { decoder.reset() }
}

extension BatteryReading {
    /// What an `$M8B` sentence says, in the rules' terms.
    public init(_ sentence: M8Sentence) {
        self.init(
            battery: sentence.battery,
            flags: BatteryFlags(
                allowsDischarge: sentence.flags & 0x01 != 0, allowsCharge: sentence.flags & 0x02 != 0,
                raisesPrealarm: sentence.flags & 0x04 != 0),
            cellMillivolts: sentence.cellMillivolts, temperatureDecicelsius: sentence.temperatureDecicelsius)
    }
}
