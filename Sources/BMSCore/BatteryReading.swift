/// The three signals a battery's own BMS sends in the flags byte.
public struct BatteryFlags: Sendable, Hashable {
    /// The raw flags byte as sent (reserved bits included).
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

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

/// What one battery reported in one fresh sentence: the core's view of an M8 `$M8B` sentence.
///
/// Repeated sentences (same sequence number) never reach the core: the bus decoder drops them,
/// so every reading counts as fresh data.
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
