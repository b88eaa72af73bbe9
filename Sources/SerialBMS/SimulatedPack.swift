/// The state a simulated BMS reports: what `smallbmsd simulate --protocol` and integration
/// tests set, and each protocol's responder encodes in its own units.
public struct SimulatedPack: Sendable, Hashable {
    /// Cell voltages in millivolts, cell 1 first; the BMS reports exactly these cells.
    public var cellMillivolts: [Int]
    /// Battery temperatures in tenths of a degree Celsius (a responder rounds to what its
    /// protocol can carry: whole degrees for JK and Daly).
    public var temperatureDecicelsius: [Int]
    /// The charge MOSFET is on (the BMS allows charging).
    public var chargeEnabled: Bool
    /// The discharge MOSFET is on (the BMS allows discharging).
    public var dischargeEnabled: Bool

    /// A pack with these cells and temperatures; both MOSFETs on unless said otherwise.
    public init(
        cellMillivolts: [Int], temperatureDecicelsius: [Int],
        chargeEnabled: Bool = true, dischargeEnabled: Bool = true
    ) {
        self.cellMillivolts = cellMillivolts
        self.temperatureDecicelsius = temperatureDecicelsius
        self.chargeEnabled = chargeEnabled
        self.dischargeEnabled = dischargeEnabled
    }

    /// Pack voltage in millivolts: the sum of the cells.
    public var packMillivolts: Int { cellMillivolts.reduce(0, +) }
}
