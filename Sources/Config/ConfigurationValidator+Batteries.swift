import VictronInstantReadout
import BMSCore
import TOMLKit

/// The `[[battery]]` tables: each one's keys (which depend on its `source`), then what the
/// tables mean together: the battery numbers, the devices, the bank's size.
extension ConfigurationValidator {
    /// Checks the root's `battery` value (nil when the file has none) once every other table is
    /// known, and completes the bank: numbers, per-battery rules, whether the M8 adapter is in use.
    mutating func checkBatteries(_ value: (any TOMLValueConvertible)?, sawBusTable: Bool) {
        var tables: [TOMLTable] = []
        if let value {
            if let array = value.array {
                for (offset, element) in array.enumerated() {
                    guard let table = element.table else {
                        report(BatteryKeySpec.tablePath(battery: offset + 1),
                               "battery[\(offset + 1)] = \(TOMLText.render(element)) has the wrong type: \(TOMLText.typeName(element.type)), expected a table: write each battery as a [[battery]] table")
                        continue
                    }
                    tables.append(table)
                }
            } else {
                report("battery", "battery has the wrong type: \(TOMLText.typeName(value.type)), expected an array of tables: write each battery as [[battery]] (two brackets), one table per BMS")
            }
        }
        configuration.hasBusAdapter = sawBusTable || tables.isEmpty
        let busCount = configuration.hasBusAdapter ? configuration.settings.batteryCount : 0
        var batteries: [BatteryConfiguration] = []
        for (offset, table) in tables.enumerated() {
            if let battery = checkBattery(table, index: offset + 1, number: busCount + offset + 1) {
                batteries.append(battery)
            }
        }
        guard !tables.isEmpty else { return }
        checkBankSize(busCount: busCount, tableCount: tables.count)
        checkDevices(batteries)
        configuration.batteries = batteries
        configuration.settings.batteryCount = busCount + batteries.count
        for battery in batteries {
            configuration.settings.cellsByBattery[battery.number] = battery.cells
            configuration.settings.commsTimeoutByBattery[battery.number] = battery.commsTimeout
        }
        checkBluetoothAddresses(batteries)
        let floor = 2600
        if let critical = configuration.settings.criticalCellMillivolts, critical < floor,
           let first = batteries.first(where: { $0.source == .victronBLE }) {
            configuration.warnings.append(
                "thresholds.critical_cell_v = \(DecimalText.format(Double(critical) / 1000, minimumDecimals: 2, maximumDecimals: 3)) cannot be seen "
                    + "through Bluetooth: a Lithium Battery Smart's readout gives 2.60 V for every cell at or below 2.60 V, so battery \(first.number) "
                    + "(victron-ble) never trips it; the under-voltage and pre-alarm trips (2.60 V and up) still act. Set it to 2.60 or more, or 0 to say it is off")
        }
    }

    /// Two batteries cannot share one Bluetooth address: each advertisement belongs to one battery.
    private mutating func checkBluetoothAddresses(_ batteries: [BatteryConfiguration]) {
        let indexOffset = configuration.hasBusAdapter ? configuration.settings.batteryCount - batteries.count : 0
        var seen: [String: Int] = [:]
        for battery in batteries {
            guard let address = battery.bluetooth?.address, !address.isEmpty else { continue }
            if let earlier = seen[address] {
                let path = BatteryKeySpec.path(battery: battery.number - indexOffset, key: "address")
                report(path, "\(path) = \(TOMLText.quoted(address)) is battery \(earlier)'s address too: each Lithium Battery Smart has its own (bluetoothctl devices lists them)")
            } else {
                seen[address] = battery.number
            }
        }
    }

    /// One table; nil when it cannot make a battery (no valid source, a missing device).
    private mutating func checkBattery(_ table: TOMLTable, index: Int, number: Int) -> BatteryConfiguration? {
        let tablePath = BatteryKeySpec.tablePath(battery: index)
        let sourcePath = BatteryKeySpec.path(battery: index, key: "source")
        let sourceNames = BatterySource.allCases.map { TOMLText.quoted($0.rawValue) }
        guard let sourceValue = table["source"] else {
            report(tablePath, "\(tablePath) (battery \(number)) has no source: add source = \(ListText.alternatives(sourceNames)), the BMS it has")
            return nil
        }
        let source: BatterySource
        switch ConfigurationSchema.batterySourceRule.check(sourceValue, defaultText: "none") {
        case .accepted(let value):
            guard let chosen = value.text.flatMap(BatterySource.init(rawValue:)) else { return nil }
            source = chosen
        case .refused(let reason):
            report(sourcePath, "\(sourcePath) = \(TOMLText.render(sourceValue)) \(reason)")
            return nil
        }

        var battery = BatteryConfiguration(
            number: number, source: source, cells: configuration.settings.cellsPerBattery,
            commsTimeout: source.defaultCommsTimeout ?? configuration.settings.commsTimeout,
            serial: source.isSerial ? SerialBatteryLink(device: "", baud: source.defaultBaud) : nil,
            bluetooth: source == .victronBLE ? BluetoothLink(address: "") : nil)
        let keys = schema.batteryKeys.filter { $0.sources.contains(source) }
        var written: Set<String> = []
        var complete = true
        for name in table.keys where name != "source" {
            guard let value = table[name] else { continue }
            let path = BatteryKeySpec.path(battery: index, key: name)
            guard let key = keys.first(where: { $0.name == name }) else {
                reportUnknownBatteryKey(name, path: path, source: source, keys: keys)
                continue
            }
            let defaultText = key.defaultValue(source, configuration).map(key.rule(source).render) ?? "none"
            switch key.rule(source).check(value, defaultText: defaultText) {
            case .accepted(let setting):
                key.write(&battery, setting)
                written.insert(name)
                writtenKeys.insert(path)
            case .refused(let reason):
                refusedKeys.insert(path)
                complete = false
                // A secret is never echoed, not even a wrong one: it may be most of the right key.
                let shown = key.rule(source).isSecret ? "(not shown)" : TOMLText.render(value)
                report(path, "\(path) = \(shown) \(reason)")
            }
        }
        // A key that is there but refused has its own message: not also "has no ...".
        for key in keys where !written.contains(key.name) && table[key.name] == nil && key.defaultValue(source, configuration) == nil {
            complete = false
            report(tablePath, "\(tablePath) (battery \(number), source = \"\(source.rawValue)\") has no \(key.name): add \(key.name) = \(key.rule(source).expected)")
        }
        if let serial = battery.serial, !refusedKeys.contains(BatteryKeySpec.path(battery: index, key: "comms_timeout_s")),
           serial.pollInterval * 2 > battery.commsTimeout {
            let note = written.contains("comms_timeout_s") ? "" : ", default"
            report(BatteryKeySpec.path(battery: index, key: "poll_interval_s"),
                   "\(BatteryKeySpec.path(battery: index, key: "poll_interval_s")) (\(DecimalText.format(serial.pollInterval.secondsValue, minimumDecimals: 1, maximumDecimals: 3))) is more than half of comms_timeout_s (\(DecimalText.format(battery.commsTimeout.secondsValue, minimumDecimals: 1, maximumDecimals: 3))\(note)): one lost reply would then already be a fault; poll faster or allow a longer comms_timeout_s")
        }
        if source == .victronBLE, !checkBluetoothBattery(battery, table: table, index: index) { complete = false }
        return complete ? battery : nil
    }

    /// What a `victron-ble` table needs beyond its keys' own rules: exactly one of `key` and
    /// `key_file`, and at most the 8 cells the readout carries.
    private mutating func checkBluetoothBattery(_ battery: BatteryConfiguration, table: TOMLTable, index: Int) -> Bool {
        let tablePath = BatteryKeySpec.tablePath(battery: index)
        let hasKey = table["key"] != nil
        let hasKeyFile = table["key_file"] != nil
        var fine = true
        if !hasKey && !hasKeyFile {
            fine = false
            report(tablePath, "\(tablePath) (battery \(battery.number), source = \"victron-ble\") has no key: add key = \"<32 hex digits>\" or key_file = \"/etc/smallbmsd/battery\(battery.number).key\" (the battery's Instant Readout key, VictronConnect: Product info -> Instant readout details)")
        } else if hasKey && hasKeyFile {
            fine = false
            report(BatteryKeySpec.path(battery: index, key: "key_file"), "\(tablePath) has both key and key_file: keep one (key_file keeps the secret out of this file)")
        }
        if battery.cells > SmartLithiumRecord.cellCount {
            fine = false
            report(BatteryKeySpec.path(battery: index, key: "cells"), "\(BatteryKeySpec.path(battery: index, key: "cells")) = \(battery.cells): a Lithium Battery Smart's Bluetooth readout carries at most \(SmartLithiumRecord.cellCount) cells (4 for 12.8 V, 8 for 25.6 V)")
        }
        return fine
    }

    private mutating func reportUnknownBatteryKey(_ name: String, path: String, source: BatterySource, keys: [BatteryKeySpec]) {
        let known = (["source"] + keys.map(\.name)).joined(separator: ", ")
        var message = "unknown key \"\(path)\" (known keys in [[battery]] with source = \"\(source.rawValue)\": \(known)"
        let owners = schema.batteryKeys.first { $0.name == name }?.sources.map { "\"\($0.rawValue)\"" } ?? []
        if !owners.isEmpty {
            message += "; \"\(name)\" belongs to source = \(ListText.alternatives(owners))"
        } else if let suggestion = NameSuggester.suggestion(for: name, among: ["source"] + keys.map(\.name)) {
            message += "; did you mean \"\(suggestion)\"?"
        } else if schema.tables.contains(where: { $0.keys.contains { $0.name == name } }) {
            let homes = schema.tables.filter { $0.keys.contains { $0.name == name } }.map { "[\($0.name)]" }
            message += "; \"\(name)\" belongs in \(ListText.alternatives(homes))"
        }
        report(path, message + ")")
    }

    /// At most 20 batteries, the adapter's and the tables' together; the first table too many is blamed.
    private mutating func checkBankSize(busCount: Int, tableCount: Int) {
        let limit = ConfigurationSchema.maximumBatteries
        guard busCount + tableCount > limit else { return }
        let firstTooMany = max(1, limit - busCount + 1)
        let busText = busCount > 0 ? "[bus] batteries = \(busCount) and " : ""
        report(BatteryKeySpec.tablePath(battery: firstTooMany),
               "\(BatteryKeySpec.tablePath(battery: firstTooMany)) would be battery \(busCount + firstTooMany): \(busText)\(tableCount) [[battery]] tables make \(busCount + tableCount) batteries, at most \(limit) are allowed")
    }

    /// Each BMS needs a port of its own: not another battery's, not the bus adapter's, not the
    /// VE.Direct monitor's. (Paths are compared as written: a by-id link and the ttyUSB it points
    /// to are not recognised as one here.)
    private mutating func checkDevices(_ batteries: [BatteryConfiguration]) {
        var users: [(key: String, device: String, what: String)] = []
        if configuration.hasBusAdapter { users.append(("bus.device", configuration.bus.device, "the M8 bus adapter's")) }
        if let monitor = configuration.vedirect { users.append(("vedirect.device", monitor.device, "the VE.Direct monitor's")) }
        let indexOffset = configuration.hasBusAdapter ? configuration.settings.batteryCount : 0
        for battery in batteries {
            guard let serial = battery.serial else { continue }
            let index = battery.number - indexOffset
            users.append((BatteryKeySpec.path(battery: index, key: "device"), serial.device, "battery \(battery.number)'s"))
        }
        for later in users.indices {
            guard let earlier = users.indices.first(where: { $0 < later && users[$0].device == users[later].device }) else { continue }
            let other = users[earlier]
            let subject = users[later]
            let place = writtenKeys.contains(other.key) || other.key.hasPrefix("battery")
                ? lines.line(of: other.key).map { " (\(other.key), line \($0))" } ?? " (\(other.key))"
                : " (\(other.key), its default)"
            report(subject.key, "\(subject.key) = \(TOMLText.quoted(subject.device)) is \(other.what) device\(place): each BMS needs a serial port (USB-serial adapter) of its own")
        }
    }
}
