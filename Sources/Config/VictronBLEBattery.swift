import VictronInstantReadout

/// One Lithium Battery Smart read over Bluetooth (`[[battery]] source = "victron-ble"`): its
/// position in the bank, its Bluetooth address and its Instant Readout key.
///
/// The key is an ``VictronInstantReadout/InstantReadoutKey``: printing this value (check-config,
/// the journal, status) shows only the key's ``VictronInstantReadout/InstantReadoutKey/redacted`` form.
public struct VictronBLEBattery: Sendable, Equatable {
    /// The default `comms_timeout_s` of a Bluetooth battery. A Lithium Battery Smart advertises
    /// about once a second, but advertisements are lost over the air far more often than bytes on
    /// a cable (a busy 2.4 GHz band, a battery at the edge of range, the Pi's Wi-Fi sharing the
    /// radio), and its data counter moves only every few advertisements: 3 s (the bus default)
    /// would fault a healthy bank several times an hour. 15 s is still far inside how fast a cell
    /// can run from the pre-alarm into under-voltage at a sensible load.
    public static let defaultCommsTimeoutSeconds = 15.0

    /// Position in the bank, 1-based (the rules' battery number).
    public var battery: Int
    /// The Bluetooth address, upper case with colons (`F4:12:34:56:78:9A`), as `bluetoothctl` shows it.
    public var address: String
    /// The Instant Readout key.
    public var key: InstantReadoutKey
    /// Where the key was read from (`key_file`), nil when it was written in the config.
    public var keyFile: String?

    /// A battery from its fields; `address` is normalised to upper case.
    public init(battery: Int, address: String, key: InstantReadoutKey, keyFile: String? = nil) {
        self.battery = battery
        self.address = address.uppercased()
        self.key = key
        self.keyFile = keyFile
    }
}
