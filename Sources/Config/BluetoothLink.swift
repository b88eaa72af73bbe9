import VictronInstantReadout

/// A Victron device heard over Bluetooth: its address and its Instant Readout key (a
/// `victron-ble` battery's `address`, `key` / `key_file`, or `[vedirect]`'s over Bluetooth).
///
/// Printing it shows the key only redacted (``VictronInstantReadout/InstantReadoutKey`` never
/// prints its bytes).
public struct BluetoothLink: Sendable, Equatable {
    /// Upper case with colons (`F4:12:34:56:78:9A`), as `bluetoothctl` shows it.
    public var address: String
    /// The key; nil only between parsing a file that names a `key_file` and reading that file
    /// (``ConfigurationLoader/load(path:)`` does; ``ConfigurationLoader/parse(_:file:)`` reads no files).
    public var key: InstantReadoutKey?
    /// The file the key is read from (`key_file`), nil when the key is written in the config.
    public var keyFile: String?

    /// A link; `address` is normalised to upper case.
    public init(address: String, key: InstantReadoutKey? = nil, keyFile: String? = nil) {
        self.address = address.uppercased()
        self.key = key
        self.keyFile = keyFile
    }
}
