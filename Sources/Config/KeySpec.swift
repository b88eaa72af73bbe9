import BMSCore

/// One key of the file: where it lives, what it accepts, and where its value goes in a `Configuration`.
///
/// Reading back through `read` is what makes the defaults single-sourced: the default a message
/// quotes and `effectiveSettingsText` prints is whatever `Configuration()` holds, i.e. `Settings`'.
struct KeySpec {
    /// The dotted table name, e.g. `gpio.load`.
    let table: String
    /// The key within the table, e.g. `line`.
    let name: String
    let rule: ValueRule
    /// The value as the file would write it; `nil` when the key's optional table is absent.
    let read: (Configuration) -> SettingValue?
    /// Stores an accepted value, converting units.
    let write: (inout Configuration, SettingValue) -> Void

    /// `table.name`, the form messages use.
    var path: String { "\(table).\(name)" }
}

extension KeySpec {
    static func integer(
        _ table: String, _ name: String, _ rule: IntegerRule, _ keyPath: WritableKeyPath<Configuration, Int>
    ) -> KeySpec {
        KeySpec(
            table: table, name: name, rule: .integer(rule),
            read: { .integer($0[keyPath: keyPath]) },
            write: { configuration, value in
                if let number = value.integer { configuration[keyPath: keyPath] = number }
            }
        )
    }

    /// A voltage in volts, stored in millivolts.
    static func volts(
        _ name: String, _ range: ClosedRange<Double>, _ keyPath: WritableKeyPath<Settings, Int>
    ) -> KeySpec {
        KeySpec(
            table: "thresholds", name: name,
            rule: .real(RealRule(range: range, minimumDecimals: 2, maximumDecimals: 3)),
            read: { .real(Double($0.settings[keyPath: keyPath]) / 1000) },
            write: { configuration, value in
                if let volts = value.real { configuration.settings[keyPath: keyPath] = millivolts(volts) }
            }
        )
    }

    /// A voltage in volts where `0` disables the check (stored as `nil`).
    static func voltsOrDisabled(
        _ name: String, _ range: ClosedRange<Double>, _ keyPath: WritableKeyPath<Settings, Int?>
    ) -> KeySpec {
        KeySpec(
            table: "thresholds", name: name,
            rule: .real(RealRule(range: range, minimumDecimals: 2, maximumDecimals: 3, zeroDisables: true)),
            read: { .real(Double($0.settings[keyPath: keyPath] ?? 0) / 1000) },
            write: { configuration, value in
                guard let volts = value.real else { return }
                configuration.settings[keyPath: keyPath] = volts == 0 ? nil : millivolts(volts)
            }
        )
    }

    /// A temperature in degrees Celsius, stored in tenths of a degree.
    static func celsius(
        _ name: String, _ range: ClosedRange<Double>, _ keyPath: WritableKeyPath<Settings, Int>
    ) -> KeySpec {
        KeySpec(
            table: "thresholds", name: name,
            rule: .real(RealRule(range: range, minimumDecimals: 1, maximumDecimals: 1)),
            read: { .real(Double($0.settings[keyPath: keyPath]) / 10) },
            write: { configuration, value in
                if let celsius = value.real { configuration.settings[keyPath: keyPath] = Int((celsius * 10).rounded()) }
            }
        )
    }

    /// A delay in seconds, stored as a `Duration` with millisecond resolution.
    static func seconds(
        _ table: String, _ name: String, _ range: ClosedRange<Double>, minimumDecimals: Int,
        _ keyPath: WritableKeyPath<Settings, Duration>
    ) -> KeySpec {
        KeySpec(
            table: table, name: name,
            rule: .real(RealRule(range: range, minimumDecimals: minimumDecimals, maximumDecimals: 3)),
            read: { .real($0.settings[keyPath: keyPath].secondsValue) },
            write: { configuration, value in
                guard let seconds = value.real else { return }
                // Whole milliseconds, so that 0.1 s is exactly 100 ms and not 0.1000000000000000055 s.
                configuration.settings[keyPath: keyPath] = .milliseconds(Int64((seconds * 1000).rounded()))
            }
        )
    }

    /// A state-of-charge limit in percent; exists only while `[vedirect]` does.
    static func percent(_ name: String, _ keyPath: WritableKeyPath<StateOfChargeLimits, Double>) -> KeySpec {
        KeySpec(
            table: "vedirect", name: name,
            rule: .real(RealRule(range: 0...100, minimumDecimals: 0, maximumDecimals: 3)),
            read: { configuration in configuration.settings.stateOfCharge.map { .real($0[keyPath: keyPath]) } },
            write: { configuration, value in
                // Thousandths, as check-config prints them, so its output loads back to the same value.
                if let percent = value.real {
                    configuration.settings.stateOfCharge?[keyPath: keyPath] = (percent * 1000).rounded() / 1000
                }
            }
        )
    }

    static func text(
        _ table: String, _ name: String, meaning: String, _ keyPath: WritableKeyPath<Configuration, String>
    ) -> KeySpec {
        KeySpec(
            table: table, name: name, rule: .text(meaning: meaning),
            read: { .text($0[keyPath: keyPath]) },
            write: { configuration, value in
                if let text = value.text { configuration[keyPath: keyPath] = text }
            }
        )
    }

    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ table: String, _ name: String, _ keyPath: WritableKeyPath<Configuration, Choice>
    ) -> KeySpec where Choice.RawValue == String {
        KeySpec(
            table: table, name: name, rule: .choice(Choice.allCases.map(\.rawValue)),
            read: { .text($0[keyPath: keyPath].rawValue) },
            write: { configuration, value in
                if let choice = value.text.flatMap(Choice.init(rawValue:)) { configuration[keyPath: keyPath] = choice }
            }
        )
    }

    static func flag(_ table: String, _ name: String, _ keyPath: WritableKeyPath<Configuration, Bool>) -> KeySpec {
        KeySpec(
            table: table, name: name, rule: .flag,
            read: { .flag($0[keyPath: keyPath]) },
            write: { configuration, value in
                if let flag = value.flag { configuration[keyPath: keyPath] = flag }
            }
        )
    }

    static func line(
        _ table: String, _ name: String, _ keyPath: WritableKeyPath<Configuration, LineSelector>
    ) -> KeySpec {
        KeySpec(
            table: table, name: name, rule: .line,
            read: { .line($0[keyPath: keyPath]) },
            write: { configuration, value in
                if let line = value.line { configuration[keyPath: keyPath] = line }
            }
        )
    }

    /// `line` and `active_low` of an output's table; they exist only while the output is in use.
    static func outputLine(_ output: Output) -> [KeySpec] {
        let table = ConfigurationSchema.tableName(of: output)
        return [
            KeySpec(
                table: table, name: "line", rule: .line,
                read: { configuration in configuration.gpio.outputs[output].map { .line($0.line) } },
                write: { configuration, value in
                    if let line = value.line { configuration.gpio.outputs[output]?.line = line }
                }
            ),
            KeySpec(
                table: table, name: "active_low", rule: .flag,
                read: { configuration in configuration.gpio.outputs[output].map { .flag($0.activeLow) } },
                write: { configuration, value in
                    if let flag = value.flag { configuration.gpio.outputs[output]?.activeLow = flag }
                }
            ),
        ]
    }

    private static func millivolts(_ volts: Double) -> Int {
        Int((volts * 1000).rounded())
    }
}
