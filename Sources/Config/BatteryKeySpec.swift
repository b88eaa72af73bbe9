import BMSCore

/// One key of a `[[battery]]` table: which sources take it, what it accepts (which may depend on
/// the source: the bauds), its default, and where its value goes.
///
/// `source` itself is not one of these: it is read first, because it decides which keys apply.
struct BatteryKeySpec {
    let name: String
    /// The sources whose tables take this key.
    let sources: [BatterySource]
    /// The accepted values for a battery of `source`.
    let rule: (BatterySource) -> ValueRule
    /// The value when the key is not written, for a battery of `source` in `configuration`
    /// (nil: the key is required).
    let defaultValue: (BatterySource, Configuration) -> SettingValue?
    /// The effective value, as the file would write it; nil when the battery has no such setting.
    let read: (BatteryConfiguration) -> SettingValue?
    /// Stores an accepted value, converting units.
    let write: (inout BatteryConfiguration, SettingValue) -> Void

    /// `battery[2].baud`, the form messages use.
    static func path(battery index: Int, key name: String) -> String {
        "\(tablePath(battery: index)).\(name)"
    }

    /// `battery[2]`: the second `[[battery]]` table of the file, 1-based.
    static func tablePath(battery index: Int) -> String {
        "battery[\(index)]"
    }

    /// A delay in seconds, stored with millisecond resolution.
    static func seconds(
        _ name: String, _ sources: [BatterySource], _ range: ClosedRange<Double>, minimumDecimals: Int,
        default defaultValue: @escaping (BatterySource, Configuration) -> Duration,
        _ keyPath: WritableKeyPath<BatteryConfiguration, Duration?>
    ) -> BatteryKeySpec {
        BatteryKeySpec(
            name: name, sources: sources,
            rule: { _ in .real(RealRule(range: range, minimumDecimals: minimumDecimals, maximumDecimals: 3)) },
            defaultValue: { .real(defaultValue($0, $1).secondsValue) },
            read: { $0[keyPath: keyPath].map { .real($0.secondsValue) } },
            write: { battery, value in
                guard let seconds = value.real else { return }
                battery[keyPath: keyPath] = .milliseconds(Int64((seconds * 1000).rounded()))
            }
        )
    }
}

extension BatteryConfiguration {
    /// The serial link's poll interval, as an optional key path for ``BatteryKeySpec``.
    var pollIntervalSetting: Duration? {
        get { serial?.pollInterval }
        set { if let newValue { serial?.pollInterval = newValue } }
    }

    /// The battery's comms timeout, as an optional key path for ``BatteryKeySpec``.
    var commsTimeoutSetting: Duration? {
        get { commsTimeout }
        set { if let newValue { commsTimeout = newValue } }
    }
}
