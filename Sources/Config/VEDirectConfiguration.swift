/// The VE.Direct port of a SmartShunt or BMV (`[vedirect]`, rule 10).
///
/// The state-of-charge limits of the same table are rules, so they live in
/// `Settings.stateOfCharge`.
public struct VEDirectConfiguration: Sendable, Equatable {
    /// The monitor's serial device, e.g. `/dev/ttyUSB1`.
    public var device: String

    /// A VE.Direct port; `/dev/ttyUSB1` unless told otherwise.
    public init(device: String = "/dev/ttyUSB1") {
        self.device = device
    }
}
