/// The serial port of the M8 bus adapter (`[bus] device`, `[bus] baud`).
///
/// The bank's shape (`batteries`, `cells_per_battery`) and `comms_timeout_s` sit in the same
/// TOML table but belong to the rules, so they live in `Settings`.
public struct BusConfiguration: Sendable, Equatable {
    /// The UART device, e.g. `/dev/ttyUSB0`.
    public var device: String
    /// The line speed in bit/s: 9600, 19200, 38400, 57600 or 115200.
    public var baud: Int

    /// The baud rates the adapter may be set to (m8-serial-protocol.md, Physical layer).
    public static let supportedBaudRates = SerialBaudRates.supported

    /// A bus port; the defaults are behaviour.md's.
    public init(device: String = "/dev/ttyUSB0", baud: Int = 115200) {
        self.device = device
        self.baud = baud
    }
}
