/// The three signals of a battery's own BMS, as the rules mean them, whatever device sent them
/// (each source maps its device's bits: behaviour.md, "Where readings come from").
///
/// Kept as three bits, so the rules can AND and OR a whole bank at once: bit 0 ATD, bit 1 ATC,
/// bit 2 PRE. The status file writes these bits as its `flags` (`"03"`).
public struct BatteryFlags: Sendable, Hashable {
    /// The three signals as bits 0 (ATD), 1 (ATC) and 2 (PRE); no other bit is ever set.
    public private(set) var rawValue: UInt8

    /// Flags from bits 0-2 of `rawValue` (ATD, ATC, PRE); other bits are not signals and are dropped.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x07 }

    /// ATD, bit 0: the battery allows discharge. Clear means "loads off".
    public var allowsDischarge: Bool { rawValue & 0x01 != 0 }
    /// ATC, bit 1: the battery allows charge. Clear means "chargers off".
    public var allowsCharge: Bool { rawValue & 0x02 != 0 }
    /// PRE, bit 2: the battery raises its own pre-alarm.
    public var raisesPrealarm: Bool { rawValue & 0x04 != 0 }

    /// Flags with the given signals set.
    public init(allowsDischarge: Bool, allowsCharge: Bool, raisesPrealarm: Bool = false) {
        rawValue = (allowsDischarge ? 0x01 : 0) | (allowsCharge ? 0x02 : 0) | (raisesPrealarm ? 0x04 : 0)
    }

    /// Discharge and charge allowed, no pre-alarm: a healthy battery (`03`).
    public static let normal = BatteryFlags(rawValue: 0x03)
}

/// What one battery reported in one fresh reading, in neutral terms: cells, temperatures and the
/// three signals, whichever source read them (an M8 adapter, a serial BMS, Bluetooth).
///
/// Only fresh readings reach the core (a repeated seq, a stale counter or an invalid reply is
/// counted by its source and withheld), so every reading counts as fresh data.
public struct BatteryReading: Sendable, Hashable {
    /// Position in the chain, 1-based.
    public var battery: Int
    /// The battery's ATD / ATC / PRE signals.
    public var flags: BatteryFlags
    /// Cell voltages in millivolts, cell 1 first.
    public var cellMillivolts: [Int]
    /// Temperatures in tenths of a degree Celsius.
    public var temperatureDecicelsius: [Int]

    public init(battery: Int, flags: BatteryFlags, cellMillivolts: [Int], temperatureDecicelsius: [Int]) {
        self.battery = battery
        self.flags = flags
        self.cellMillivolts = cellMillivolts
        self.temperatureDecicelsius = temperatureDecicelsius
    }
}
