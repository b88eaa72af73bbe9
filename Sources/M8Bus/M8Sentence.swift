/// One battery status report (`$M8B`) as the adapter sent it.
///
/// Values are the wire values, unscaled and unjudged: the decoder only checks the ranges of
/// the protocol table, so a 0 mV cell arrives here and it is the rule core's job to fault on it.
public struct M8Sentence: Sendable, Hashable {
    /// Position of the battery in the M8 chain, 1...20.
    public var battery: Int
    /// Per-battery counter 0...255, wrapping; the decoder uses it to recognise a stuck adapter.
    public var sequence: Int
    /// The battery's own BMS signals, raw. Bits 3-7 are reserved and may be set by a future
    /// adapter; they are kept here (so a sentence round-trips) and ignored by the accessors below.
    public var flags: UInt8
    /// Cell voltages in millivolts, 0...65535, in cell order.
    public var cellMillivolts: [Int]
    /// Temperatures in tenths of a degree Celsius, -400...1500; empty when the battery has no sensor.
    public var temperatureDecicelsius: [Int]

    /// Builds a sentence from wire values; no validation, so tests and simulators can also
    /// build out-of-range sentences to exercise the decoder.
    public init(
        battery: Int,
        sequence: Int,
        flags: UInt8,
        cellMillivolts: [Int],
        temperatureDecicelsius: [Int]
    ) {
        self.battery = battery
        self.sequence = sequence
        self.flags = flags
        self.cellMillivolts = cellMillivolts
        self.temperatureDecicelsius = temperatureDecicelsius
    }

    /// Flag bit 0 (ATD). Positive logic on the wire, so a zeroed flags field means "loads off",
    /// the safe side.
    public var allowsDischarge: Bool { flags & 0x01 != 0 }

    /// Flag bit 1 (ATC). Positive logic on the wire, so a zeroed flags field means "chargers off",
    /// the safe side.
    public var allowsCharge: Bool { flags & 0x02 != 0 }

    /// Flag bit 2 (PRE): the battery's own BMS warns before it acts, giving the daemon time to
    /// shed loads or chargers gracefully.
    public var preAlarm: Bool { flags & 0x04 != 0 }
}
