import VictronInstantReadout
import BMSCore

/// Every table and key of the file, their allowed values, and the order rules between them.
///
/// This is the one place to change when a key is added or a range is revised; the validator,
/// the messages and `effectiveSettingsText` all follow it. Defaults are not repeated here: they
/// are read back from `Configuration()` (hence from `Settings`) and from each optional table's
/// `insertDefaults`.
struct ConfigurationSchema {
    /// In the order of behaviour.md and the sample file.
    let tables: [TableSpec]
    let orderRules: [OrderRule]
    /// `Configuration()` with every optional table switched on: the source of every key's default.
    let defaults: Configuration
    /// The keys of a `[[battery]]` table besides `source`, in the order `check-config` prints them.
    let batteryKeys: [BatteryKeySpec]

    /// The most batteries a bank may have, the `[bus]` adapter's and the `[[battery]]` tables together.
    static let maximumBatteries = 20
    /// What the effective settings say instead of `[bus]` when there is no M8 adapter.
    static let busAbsentNote = "no M8 bus adapter: every battery has its own BMS ([[battery]] tables)"
    /// What `source` in a `[[battery]]` table accepts.
    static let batterySourceRule = ValueRule.choice(BatterySource.allCases.map(\.rawValue))

    init() {
        tables = Self.makeTables()
        batteryKeys = Self.makeBatteryKeys()
        orderRules = Self.makeOrderRules()
        var defaults = Configuration()
        for table in tables { table.optional?.insertDefaults(&defaults) }
        self.defaults = defaults
    }

    /// The table of an output's line: `gpio.load`, `gpio.led_temp_ovp`.
    static func tableName(of output: Output) -> String {
        "gpio.\(output.rawValue)"
    }

    func table(named name: String) -> TableSpec? {
        tables.first { $0.name == name }
    }

    /// The tables directly inside `parent`; `nil` asks for the top-level tables.
    func childTables(of parent: String?) -> [TableSpec] {
        tables.filter { $0.parentName == parent }
    }

    func key(at path: String) -> KeySpec? {
        tables.lazy.flatMap(\.keys).first { $0.path == path }
    }

    /// The default a message quotes for a key, as TOML.
    func defaultText(of key: KeySpec) -> String {
        key.read(defaults).map(key.rule.render) ?? "none"
    }

    private static func makeTables() -> [TableSpec] {
        var tables = [
            // Always in effect, except in a file with [[battery]] tables and no [bus]: no M8 adapter then.
            TableSpec(name: "bus", keys: [
                .text("bus", "device", meaning: "the serial device of the M8 bus adapter", \.bus.device),
                .integer("bus", "baud", .oneOf(BusConfiguration.supportedBaudRates), \.bus.baud),
                KeySpec(
                    table: "bus", name: "batteries", rule: .integer(.range(1...maximumBatteries)),
                    // The rules' batteryCount also counts the [[battery]] tables, numbered after these.
                    read: { .integer($0.settings.batteryCount - $0.batteries.count) },
                    write: { configuration, value in
                        if let count = value.integer { configuration.settings.batteryCount = count }
                    }
                ),
                .integer("bus", "cells_per_battery", .oneOf([4, 8]), \.settings.cellsPerBattery),
                // The adapter sends a sentence per battery about every second: a timeout under
                // two periods would turn one late sentence into a fault.
                .seconds("bus", "comms_timeout_s", 2...60, minimumDecimals: 1, \.commsTimeout),
            ], optional: nil),
            TableSpec(name: "thresholds", keys: [
                .volts("load_disconnect_v", 2.60...2.80, \.loadDisconnectMillivolts),
                .volts("load_reconnect_v", 2.90...3.40, \.loadReconnectMillivolts),
                .voltsOrDisabled("critical_cell_v", 2.00...2.70, \.criticalCellMillivolts),
                .volts("prealarm_v", 2.85...3.15, \.prealarmMillivolts),
                .volts("prealarm_clear_v", 2.90...3.40, \.prealarmClearMillivolts),
                .seconds("thresholds", "prealarm_lead_s", 30...3600, minimumDecimals: 0, \.prealarmLead),
                .volts("charge_disconnect_v", 3.45...3.90, \.chargeDisconnectMillivolts),
                .volts("charge_reconnect_v", 3.30...3.80, \.chargeReconnectMillivolts),
                // Charging LiFePO4 below 0 C plates lithium: no setting may allow it.
                .celsius("charge_min_temp_c", 0...20, \.chargeMinDecicelsius),
                .celsius("charge_max_temp_c", 30...60, \.chargeMaxDecicelsius),
                .celsius("temp_hysteresis_c", 0.5...10, \.temperatureHysteresisDecicelsius),
                .seconds("thresholds", "confirm_s", 0.1...60, minimumDecimals: 1, \.confirmDelay),
                .seconds("thresholds", "recover_s", 1...3600, minimumDecimals: 1, \.recoverDelay),
            ], optional: nil),
            TableSpec(name: "gpio", keys: [
                .text("gpio", "chip", meaning: "a chip name, /dev path or label, or \"simulated\"", \.gpio.chip),
            ], optional: nil),
        ]
        for output in Output.allCases {
            let isLED = output == .ledLoad || output == .ledTempOVP
            tables.append(TableSpec(
                name: tableName(of: output),
                keys: KeySpec.outputLine(output),
                optional: isLED ? optionalOutput(output) : nil
            ))
        }
        tables += [
            TableSpec(name: "remote", keys: [
                .choice("remote", "mode", \.remote.mode),
                .line("remote", "line", \.remote.line),
                .flag("remote", "active_low", \.remote.activeLow),
                .choice("remote", "bias", \.remote.bias),
                .integer("remote", "debounce_ms", .range(0...1000), \.remote.debounceMilliseconds),
            ], optional: nil),
            TableSpec(name: "status", keys: [
                .text("status", "path", meaning: "the status file's path", \.statusPath),
            ], optional: nil),
            TableSpec(name: "metrics", keys: [
                KeySpec(
                    table: "metrics", name: "textfile", rule: .text(meaning: "the Prometheus textfile's path"),
                    read: { configuration in configuration.metrics.map { .text($0.textfile) } },
                    write: { configuration, value in
                        if let path = value.text { configuration.metrics?.textfile = path }
                    }
                ),
            ], optional: TableSpec.OptionalTable(
                insertDefaults: { configuration in configuration.metrics = MetricsConfiguration() },
                isPresent: { $0.metrics != nil },
                absentNote: "no Prometheus textfile"
            )),
            TableSpec(name: "vedirect", keys: [
                KeySpec(
                    table: "vedirect", name: "device", rule: .text(meaning: "the serial device of the VE.Direct port"),
                    read: { configuration in configuration.vedirect.map { .text($0.device) } },
                    write: { configuration, value in
                        if let device = value.text { configuration.vedirect?.device = device }
                    }
                ),
                // Over Bluetooth instead of the cable: the SmartShunt/BMV's address and key (record 0x02).
                KeySpec(
                    table: "vedirect", name: "address", rule: .bluetoothAddress,
                    read: { $0.vedirect?.bluetooth.map { .text($0.address) } },
                    write: { configuration, value in
                        guard let address = value.text else { return }
                        var link = configuration.vedirect?.bluetooth ?? BluetoothLink(address: "")
                        link.address = address
                        configuration.vedirect?.bluetooth = link
                    }
                ),
                KeySpec(
                    table: "vedirect", name: "key", rule: .secretKey,
                    read: { configuration in
                        guard let link = configuration.vedirect?.bluetooth, link.keyFile == nil else { return nil }
                        return link.key.map { .text($0.redacted) }
                    },
                    write: { configuration, value in
                        guard let text = value.text else { return }
                        var link = configuration.vedirect?.bluetooth ?? BluetoothLink(address: "")
                        link.key = try? InstantReadoutKey(hex: text)
                        configuration.vedirect?.bluetooth = link
                    }
                ),
                KeySpec(
                    table: "vedirect", name: "key_file",
                    rule: .text(meaning: "the path of a file holding the monitor's Instant Readout key, readable by smallbmsd only"),
                    read: { $0.vedirect?.bluetooth?.keyFile.map { .text($0) } },
                    write: { configuration, value in
                        guard let path = value.text else { return }
                        var link = configuration.vedirect?.bluetooth ?? BluetoothLink(address: "")
                        link.keyFile = path
                        configuration.vedirect?.bluetooth = link
                    }
                ),
                .percent("soc_prealarm_pct", \.prealarmPercent),
                .percent("soc_load_off_pct", \.loadOffPercent),
                .percent("soc_load_on_pct", \.loadOnPercent),
            ], optional: TableSpec.OptionalTable(
                insertDefaults: { configuration in
                    configuration.vedirect = VEDirectConfiguration()
                    configuration.settings.stateOfCharge = StateOfChargeLimits()
                },
                isPresent: { $0.vedirect != nil },
                absentNote: "no VE.Direct monitor: no state-of-charge cut-off (rule 10)"
            )),
        ]
        return tables + makeRecordingTables()
    }

    /// `[recorder]` and `[history]` (issue 15): what happened and when.
    private static func makeRecordingTables() -> [TableSpec] {
        [
            TableSpec(name: "recorder", keys: [
                .flag("recorder", "enabled", \.recorder.enabled),
                .text("recorder", "directory", meaning: "the directory of the incident files", \.recorder.directory),
                .duration("recorder", "window_s", 1...3600, \.recorder.window),
                .duration("recorder", "after_s", 0...600, \.recorder.after),
                .integer("recorder", "max_mb", .range(1...10_000), \.recorder.maxMegabytes),
            ], optional: nil),
            TableSpec(name: "history", keys: [
                .flag("history", "enabled", \.history.enabled),
                .text("history", "path", meaning: "the history database's path", \.history.path),
                // Every flush is a SQLite transaction on the SD card: not more often than every 10 s.
                .duration("history", "flush_s", 10...3600, \.history.flushInterval),
            ], optional: nil),
        ]
    }

    private static func makeBatteryKeys() -> [BatteryKeySpec] {
        let serial = BatterySource.allCases.filter(\.isSerial)
        let every = BatterySource.allCases
        return [
            BatteryKeySpec(
                name: "device", sources: serial,
                rule: { _ in .text(meaning: "the serial device of the USB-serial adapter wired to this BMS, best a /dev/serial/by-id/... path") },
                defaultValue: { _, _ in nil },
                read: { $0.serial.map { .text($0.device) } },
                write: { battery, value in if let device = value.text { battery.serial?.device = device } }
            ),
            // Each BMS has one line speed (its protocol module's list): any other gives only garbage.
            BatteryKeySpec(
                name: "baud", sources: serial,
                rule: { .integer(.oneOf($0.supportedBauds)) },
                defaultValue: { source, _ in .integer(source.defaultBaud) },
                read: { $0.serial.map { .integer($0.baud) } },
                write: { battery, value in if let baud = value.integer { battery.serial?.baud = baud } }
            ),
            // At least 0.5 s: a cycle must fit its interval (a Daly's five requests with their
            // turnarounds take about 0.3 s, a JK's read-all 0.28 s) or it is abandoned and the battery
            // goes stale; faster polling would gain nothing against confirm_s. At most 30 s, and
            // never more than half the battery's comms_timeout_s (checked below), so that one lost
            // reply is not yet a fault.
            .seconds(
                "poll_interval_s", serial, 0.5...30, minimumDecimals: 1,
                default: { _, _ in SerialBatteryLink.defaultPollInterval }, \.pollIntervalSetting),
            // 4 (12.8 V LiFePO4) to 32, the most cells a JBD reports (JK 24 and 32, Daly 48: 32 covers every LiFePO4 bank up to 96 V).
            BatteryKeySpec(
                name: "cells", sources: every,
                rule: { _ in .integer(.range(4...32)) },
                defaultValue: { _, configuration in .integer(configuration.settings.cellsPerBattery) },
                read: { .integer($0.cells) },
                write: { battery, value in if let cells = value.integer { battery.cells = cells } }
            ),
            // The range of [bus] comms_timeout_s, for the same reason: at least two poll periods.
            // A victron-ble battery's own default is longer (VictronBLEBattery.defaultCommsTimeoutSeconds
            // says why: advertisements are lost over the air).
            .seconds(
                "comms_timeout_s", every, 2...60, minimumDecimals: 1,
                default: { source, configuration in source.defaultCommsTimeout ?? configuration.settings.commsTimeout },
                \.commsTimeoutSetting),
            // A Lithium Battery Smart is known by its Bluetooth address.
            BatteryKeySpec(
                name: "address", sources: [.victronBLE],
                rule: { _ in .bluetoothAddress },
                defaultValue: { _, _ in nil },
                read: { $0.bluetooth.map { .text($0.address) } },
                write: { battery, value in if let address = value.text { battery.bluetooth?.address = address } }
            ),
            // The key, in the file (key) or apart from it (key_file, which the loader reads): one of the
            // two, checked by the validator. Read back only redacted, so no printout shows it.
            BatteryKeySpec(
                name: "key", sources: [.victronBLE],
                rule: { _ in .secretKey },
                defaultValue: { _, _ in .text("") },
                read: { battery in battery.bluetooth?.keyFile == nil ? battery.bluetooth?.key.map { .text($0.redacted) } : nil },
                write: { battery, value in
                    if let text = value.text { battery.bluetooth?.key = try? InstantReadoutKey(hex: text) }
                }
            ),
            BatteryKeySpec(
                name: "key_file", sources: [.victronBLE],
                rule: { _ in .text(meaning: "the path of a file holding the battery's Instant Readout key (32 hex digits), readable by smallbmsd only") },
                defaultValue: { _, _ in .text("") },
                read: { $0.bluetooth?.keyFile.map { .text($0) } },
                write: { battery, value in if let path = value.text { battery.bluetooth?.keyFile = path } }
            ),
        ]
    }

    private static func optionalOutput(_ output: Output) -> TableSpec.OptionalTable {
        TableSpec.OptionalTable(
            insertDefaults: { configuration in
                configuration.gpio.outputs[output] = OutputLineConfiguration(line: GPIOConfiguration.defaultLine(for: output))
            },
            isPresent: { $0.gpio.outputs[output] != nil },
            absentNote: output == .ledLoad ? "no blue \"load on\" LED" : "no red \"temp or OVP\" LED"
        )
    }

    private static func makeOrderRules() -> [OrderRule] {
        typealias Term = OrderRule.Term
        return [
            OrderRule(
                subject: Term("thresholds.prealarm_v"), relation: .above, reference: Term("thresholds.load_disconnect_v"),
                reason: "PRE-ALARM has to rise before LOAD is cut"
            ),
            OrderRule(
                subject: Term("thresholds.prealarm_clear_v"), relation: .atOrAbove, reference: Term("thresholds.prealarm_v"),
                reason: "PRE-ALARM could otherwise clear while a cell is still below its trip level"
            ),
            // The ranges already keep these two apart; the rule keeps it so if they are widened.
            OrderRule(
                subject: Term("thresholds.load_reconnect_v"), relation: .above, reference: Term("thresholds.load_disconnect_v"),
                reason: "LOAD would otherwise return on the same voltage that cut it"
            ),
            OrderRule(
                subject: Term("thresholds.critical_cell_v"), relation: .below, reference: Term("thresholds.load_disconnect_v"),
                reason: "the critical floor is the last resort, under the normal cut-off (0 disables it)",
                skipsDisabledSubject: true
            ),
            OrderRule(
                subject: Term("thresholds.charge_reconnect_v"), relation: .below, reference: Term("thresholds.charge_disconnect_v"),
                reason: "CHARGER would otherwise return on the same voltage that cut it"
            ),
            OrderRule(
                subject: Term("thresholds.charge_min_temp_c", plus: "thresholds.temp_hysteresis_c"),
                relation: .below,
                reference: Term("thresholds.charge_max_temp_c", minus: "thresholds.temp_hysteresis_c"),
                reason: "no temperature would let CHARGER return"
            ),
            OrderRule(
                subject: Term("vedirect.soc_load_off_pct"), relation: .below, reference: Term("vedirect.soc_prealarm_pct"),
                reason: "PRE-ALARM has to rise before LOAD is cut"
            ),
            OrderRule(
                subject: Term("vedirect.soc_load_on_pct"), relation: .above, reference: Term("vedirect.soc_prealarm_pct"),
                reason: "the state-of-charge pre-alarm clears at soc_load_on_pct, so that must lie above the level that raises it"
            ),
        ]
    }
}
