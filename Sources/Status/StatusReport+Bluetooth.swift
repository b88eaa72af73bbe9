extension StatusReport {
    /// The Bluetooth readout: the adapter, whether discovery runs, and each device's counters.
    public struct Bluetooth: Codable, Sendable, Equatable {
        /// The adapter in use (`hci0`), nil while there is none.
        public var adapter: String?
        /// Whether discovery runs now (LE, every advertisement).
        public var discovering: Bool
        /// Every configured device: the batteries, then the state-of-charge monitor.
        public var devices: [Device]

        /// An entry with every field given.
        public init(adapter: String?, discovering: Bool, devices: [Device]) {
            self.adapter = adapter
            self.discovering = discovering
            self.devices = devices
        }

        /// Writes nil as `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(adapter, forKey: .adapter)
            try container.encode(discovering, forKey: .discovering)
            try container.encode(devices, forKey: .devices)
        }

        private enum CodingKeys: String, CodingKey {
            case adapter, discovering, devices
        }
    }

    /// One Bluetooth device's counters. `advertisements = decrypted + repeats + wrong_key + bad + foreign`.
    public struct Device: Codable, Sendable, Equatable {
        /// The battery position, or nil for the state-of-charge monitor.
        public var battery: Int?
        /// `battery` or `soc`.
        public var role: String
        /// Its Bluetooth address.
        public var address: String
        /// The configured key, redacted (first byte and a hash): never the key.
        public var key: String
        /// Advertisements from this address.
        public var advertisements: Int
        /// Fresh records (decrypted, data counter moved, trusted).
        public var decrypted: Int
        /// Not fresh: the same data counter again.
        public var repeats: Int
        /// The key check byte is not the configured key's first byte.
        public var wrongKey: Int
        /// Too short/long, undecodable or untrusted records.
        public var bad: Int
        /// Other kinds of advertisement or record from this address.
        public var foreign: Int

        /// An entry with every field given.
        public init(
            battery: Int?, role: String, address: String, key: String, advertisements: Int, decrypted: Int, repeats: Int,
            wrongKey: Int, bad: Int, foreign: Int
        ) {
            self.battery = battery
            self.role = role
            self.address = address
            self.key = key
            self.advertisements = advertisements
            self.decrypted = decrypted
            self.repeats = repeats
            self.wrongKey = wrongKey
            self.bad = bad
            self.foreign = foreign
        }

        /// Writes nil as `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(battery, forKey: .battery)
            try container.encode(role, forKey: .role)
            try container.encode(address, forKey: .address)
            try container.encode(key, forKey: .key)
            try container.encode(advertisements, forKey: .advertisements)
            try container.encode(decrypted, forKey: .decrypted)
            try container.encode(repeats, forKey: .repeats)
            try container.encode(wrongKey, forKey: .wrongKey)
            try container.encode(bad, forKey: .bad)
            try container.encode(foreign, forKey: .foreign)
        }

        private enum CodingKeys: String, CodingKey {
            case battery, role, address, key, advertisements, decrypted, repeats
            case wrongKey = "wrong_key"
            case bad, foreign
        }
    }
}
