/// One `[[battery]]` table: a battery with its own BMS, read by its own source.
///
/// Every value is the effective one: what the file says, else the default (`cells` and
/// `comms_timeout_s` default to `[bus] cells_per_battery` and `[bus] comms_timeout_s`). The rules
/// get `cells` and `commsTimeout` through `Settings.cellsByBattery` / `commsTimeoutByBattery`.
public struct BatteryConfiguration: Sendable, Equatable {
    /// The battery's number for the rules and the journal: after the `[bus]` adapter's batteries, in file order.
    public var number: Int
    /// What reads it.
    public var source: BatterySource
    /// The cells its BMS must report.
    public var cells: Int
    /// How long it may go without a fresh reading before it is a fault (rule 8).
    public var commsTimeout: Duration
    /// The UART of a polled BMS (`jbd`, `jk`, `daly`); nil for a source that is not serial.
    public var serial: SerialBatteryLink?
    /// The Bluetooth address and key of a `victron-ble` battery; nil for the other sources.
    public var bluetooth: BluetoothLink?

    /// A battery; `serial` is required for the serial sources, `bluetooth` for `victron-ble`.
    public init(
        number: Int, source: BatterySource, cells: Int, commsTimeout: Duration, serial: SerialBatteryLink?,
        bluetooth: BluetoothLink? = nil
    ) {
        self.number = number
        self.source = source
        self.cells = cells
        self.commsTimeout = commsTimeout
        self.serial = serial
        self.bluetooth = bluetooth
    }
}

/// The UART of one polled BMS: `device`, `baud`, `poll_interval_s` of its `[[battery]]` table.
public struct SerialBatteryLink: Sendable, Equatable {
    /// The serial device, best a `/dev/serial/by-id/...` path (it survives replugging in another port).
    public var device: String
    /// The line speed in bit/s (one the protocol supports; its default unless set).
    public var baud: Int
    /// Time from one poll cycle's start to the next.
    public var pollInterval: Duration

    /// The poll interval when `poll_interval_s` is not given.
    public static let defaultPollInterval: Duration = .seconds(1)

    /// A link; `pollInterval` defaults to 1 s.
    public init(device: String, baud: Int, pollInterval: Duration = SerialBatteryLink.defaultPollInterval) {
        self.device = device
        self.baud = baud
        self.pollInterval = pollInterval
    }
}
