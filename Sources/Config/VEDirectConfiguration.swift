/// The VE.Direct port of a SmartShunt or BMV (`[vedirect]`, rule 10).
///
/// The state-of-charge limits of the same table are rules, so they live in
/// `Settings.stateOfCharge`.
public struct VEDirectConfiguration: Sendable, Equatable {
    /// The monitor's serial device, e.g. `/dev/ttyUSB1`.
    public var device: String
    /// Set when `[vedirect]` has an `address`: the monitor's state of charge comes over Bluetooth
    /// (its Instant Readout battery-monitor record) and `device` is not opened.
    public var bluetooth: BluetoothLink?

    /// A VE.Direct port; `/dev/ttyUSB1` unless told otherwise.
    public init(device: String = "/dev/ttyUSB1", bluetooth: BluetoothLink? = nil) {
        self.device = device
        self.bluetooth = bluetooth
    }
}
