import VictronInstantReadout

/// A SmartShunt or BMV read over Bluetooth for rule 10's state of charge (its battery-monitor
/// record 0x02): `[vedirect]`'s role without the VE.Direct cable.
public struct VictronBLEMonitor: Sendable, Equatable {
    /// The Bluetooth address, upper case with colons.
    public var address: String
    /// The monitor's Instant Readout key (shown only redacted).
    public var key: InstantReadoutKey
    /// Where the key was read from, nil when it was written in the config.
    public var keyFile: String?

    /// A monitor from its fields; `address` is normalised to upper case.
    public init(address: String, key: InstantReadoutKey, keyFile: String? = nil) {
        self.address = address.uppercased()
        self.key = key
        self.keyFile = keyFile
    }
}
