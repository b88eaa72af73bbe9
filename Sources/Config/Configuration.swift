import BMSCore

/// Everything `smallbmsd` reads from its configuration file, validated and in the core's units.
///
/// `Configuration()` is the configuration of an empty file: every default of behaviour.md, no
/// LEDs and no VE.Direct monitor. A value of this type made by ``ConfigurationLoader`` has passed
/// every range, type and order check; one made in code is trusted as it is.
public struct Configuration: Sendable, Equatable {
    /// The rule set's parameters (thresholds, delays, bank shape, state-of-charge limits).
    public var settings: Settings
    /// The M8 bus adapter's serial port.
    public var bus: BusConfiguration
    /// The GPIO chip and the line of every output in use.
    public var gpio: GPIOConfiguration
    /// The remote on/off input (rule 1).
    public var remote: RemoteConfiguration
    /// Where the status file is written (`[status] path`).
    public var statusPath: String
    /// The Prometheus textfile, or `nil` when `[metrics]` is absent (none is written).
    public var metrics: MetricsConfiguration?
    /// The VE.Direct battery monitor, or `nil` when `[vedirect]` is absent (no SoC rule).
    ///
    /// Its percentages live in `settings.stateOfCharge`, which is set exactly when this is.
    public var vedirect: VEDirectConfiguration?
    /// Whether the `[bus]` M8 adapter is in use. A file with `[[battery]]` tables and no `[bus]`
    /// table has none: its batteries all have their own BMS (then `bus` holds only the defaults
    /// `cells_per_battery` and `comms_timeout_s` came from, and no port is opened for it).
    public var hasBusAdapter: Bool
    /// The `[[battery]]` tables, in file order: batteries numbered after the bus adapter's.
    public var batteries: [BatteryConfiguration]
    /// What `check-config` and the daemon's start-up say about a valid file that may still not do
    /// what the installer thinks (a key file others can read, a critical floor Bluetooth cannot see).
    public var warnings: [String] = []
    /// The flight recorder (`[recorder]`): incident files after a trip.
    public var recorder: RecorderConfiguration = RecorderConfiguration()
    /// The history database (`[history]`).
    public var history: HistoryConfiguration = HistoryConfiguration()

    /// The status file's path when `[status] path` is not given.
    public static let defaultStatusPath = "/run/smallbmsd/status.json"

    /// A configuration from its parts; every part defaults to the value of an empty file.
    public init(
        settings: Settings = Settings(),
        bus: BusConfiguration = BusConfiguration(),
        gpio: GPIOConfiguration = GPIOConfiguration(),
        remote: RemoteConfiguration = RemoteConfiguration(),
        statusPath: String = Configuration.defaultStatusPath,
        metrics: MetricsConfiguration? = nil,
        vedirect: VEDirectConfiguration? = nil,
        hasBusAdapter: Bool = true,
        batteries: [BatteryConfiguration] = []
    ) {
        self.settings = settings
        self.bus = bus
        self.gpio = gpio
        self.remote = remote
        self.statusPath = statusPath
        self.metrics = metrics
        self.vedirect = vedirect
        self.hasBusAdapter = hasBusAdapter
        self.batteries = batteries
    }

    /// How many batteries the `[bus]` adapter reports: `[bus] batteries`, or 0 without an adapter.
    public var busBatteryCount: Int {
        hasBusAdapter ? settings.batteryCount - batteries.count : 0
    }
}
