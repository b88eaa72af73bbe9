import BMSCore
import TOMLKit

/// Walks a parsed TOML document against the schema, building the configuration and collecting
/// every problem on the way, so that one run of `check-config` shows the installer all of them.
struct ConfigurationValidator {
    let schema: ConfigurationSchema
    let lines: SourceLineIndex
    var configuration = Configuration()
    private var problems: [ConfigurationProblem] = []
    /// Keys the file sets to an accepted value: only these can be blamed for an order problem.
    var writtenKeys: Set<String> = []
    /// Keys with a refused value: their stand-in default must not raise follow-up problems.
    var refusedKeys: Set<String> = []
    /// Tables the file writes (`bus`, `gpio.load`).
    private var seenTables: Set<String> = []
    /// The `battery` value of the root, checked once every other table is known (its defaults come from `[bus]`).
    private var batteryValue: (any TOMLValueConvertible)?

    init(schema: ConfigurationSchema, lines: SourceLineIndex) {
        self.schema = schema
        self.lines = lines
    }

    /// Every problem, in the order of the file.
    var sortedProblems: [ConfigurationProblem] {
        problems.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }

    mutating func validate(_ root: TOMLTable) {
        checkTable(root, named: nil)
        checkBatteries(batteryValue, sawBusTable: seenTables.contains("bus"))
        checkBluetoothMonitor()
        checkOrder()
        checkLineSharing()
    }

    /// `[vedirect]` over Bluetooth: an `address` and exactly one of `key` and `key_file`.
    private mutating func checkBluetoothMonitor() {
        guard let link = configuration.vedirect?.bluetooth else { return }
        let hasKey = writtenKeys.contains("vedirect.key") || refusedKeys.contains("vedirect.key")
        let hasKeyFile = writtenKeys.contains("vedirect.key_file") || refusedKeys.contains("vedirect.key_file")
        if link.address.isEmpty, !refusedKeys.contains("vedirect.address") {
            report("vedirect", "[vedirect] has a key for Bluetooth but no address: add address = \"AA:BB:CC:DD:EE:FF\", the SmartShunt or BMV's Bluetooth address")
        }
        if !hasKey && !hasKeyFile {
            report("vedirect.address", "[vedirect] is read over Bluetooth (address is set) but has no key: add key = \"<32 hex digits>\" or key_file = PATH (VictronConnect: Product info -> Instant readout details)")
        } else if hasKey && hasKeyFile {
            report("vedirect.key_file", "[vedirect] has both key and key_file: keep one")
        }
    }

    // MARK: Tables and keys

    private mutating func checkTable(_ table: TOMLTable, named tableName: String?) {
        let keys = tableName.flatMap { schema.table(named: $0)?.keys } ?? []
        let children = schema.childTables(of: tableName)
        for name in table.keys {
            guard let value = table[name] else { continue }
            let path = tableName.map { "\($0).\(name)" } ?? name
            if tableName == nil, name == "battery" {
                batteryValue = value
            } else if let key = keys.first(where: { $0.name == name }) {
                check(value, for: key)
            } else if let child = children.first(where: { $0.leafName == name }) {
                guard let subtable = value.table else {
                    report(path, "\(path) = \(TOMLText.render(value)) has the wrong type: "
                        + "\(TOMLText.typeName(value.type)), expected a table [\(path)]")
                    continue
                }
                seenTables.insert(child.name)
                child.optional?.insertDefaults(&configuration)
                checkTable(subtable, named: child.name)
            } else {
                reportUnknown(name, isTable: value.type == .table, in: tableName)
            }
        }
    }

    private mutating func check(_ value: any TOMLValueConvertible, for key: KeySpec) {
        switch key.rule.check(value, defaultText: schema.defaultText(of: key)) {
        case .accepted(let setting):
            key.write(&configuration, setting)
            writtenKeys.insert(key.path)
        case .refused(let reason):
            refusedKeys.insert(key.path)
            // A secret is never echoed, not even a wrong one: it may be most of the right key.
            let shown = key.rule.isSecret ? "(not shown)" : TOMLText.render(value)
            report(key.path, "\(key.path) = \(shown) \(reason)")
        }
    }

    private mutating func reportUnknown(_ name: String, isTable: Bool, in tableName: String?) {
        let path = tableName.map { "\($0).\(name)" } ?? name
        let keyNames = tableName.flatMap { schema.table(named: $0)?.keys.map(\.name) } ?? []
        let tableNames = schema.childTables(of: tableName).map(\.leafName)

        var known: [String] = []
        if let tableName {
            if !keyNames.isEmpty { known.append("known keys in [\(tableName)]: \(keyNames.joined(separator: ", "))") }
            if !tableNames.isEmpty { known.append("known tables in [\(tableName)]: \(tableNames.joined(separator: ", "))") }
        } else {
            known.append("known tables: \(tableNames.joined(separator: ", "))")
        }
        // A key put in the wrong table is a likelier slip than a typo: say where it belongs.
        let homes = schema.tables.filter { $0.name != tableName && $0.keys.contains { $0.name == name } }
        if !isTable, !homes.isEmpty {
            known.append("\"\(name)\" belongs in " + ListText.alternatives(homes.map { "[\($0.name)]" }))
        } else if let suggestion = NameSuggester.suggestion(for: name, among: isTable ? tableNames : keyNames + tableNames) {
            let isTableSuggestion = tableNames.contains(suggestion) && !keyNames.contains(suggestion)
            let suggested = tableName.map { "\($0).\(suggestion)" } ?? suggestion
            known.append("did you mean " + (isTableSuggestion ? "[\(suggested)]" : "\"\(suggestion)\"") + "?")
        }

        let what: String
        if isTable {
            what = "unknown table [\(path)]"
        } else if tableName == nil {
            what = "unknown key \"\(path)\" outside any table"
        } else {
            what = "unknown key \"\(path)\""
        }
        report(path, "\(what) (\(known.joined(separator: "; ")))")
    }

    // MARK: Relations between keys

    private mutating func checkOrder() {
        for rule in schema.orderRules {
            let keys = rule.subject.keys + rule.reference.keys
            guard !keys.contains(where: refusedKeys.contains),
                  let subject = value(of: rule.subject.key), let reference = value(of: rule.reference.key)
            else { continue }
            if rule.skipsDisabledSubject, subject == 0 { continue }
            let subjectTotal = total(of: rule.subject, base: subject)
            let referenceTotal = total(of: rule.reference, base: reference)
            guard let subjectTotal, let referenceTotal, !rule.relation.holds(subjectTotal, referenceTotal) else { continue }
            // Defaults never conflict with each other, so at least one of the keys is in the file.
            let blamed = keys.first(where: writtenKeys.contains) ?? rule.subject.key
            report(blamed, "\(text(of: rule.subject)) \(rule.relation.text) \(text(of: rule.reference)): \(rule.reason)")
        }
    }

    private func value(of path: String) -> Double? {
        schema.key(at: path)?.read(configuration)?.real
    }

    private func total(of term: OrderRule.Term, base: Double) -> Double? {
        guard let adjustment = term.adjustment else { return base }
        return value(of: adjustment.key).map { base + adjustment.sign * $0 }
    }

    /// `thresholds.prealarm_v (2.75)`, or `thresholds.charge_min_temp_c (25.0) + thresholds.temp_hysteresis_c (2.0, default)`.
    private func text(of term: OrderRule.Term) -> String {
        var text = valueText(of: term.key)
        if let adjustment = term.adjustment {
            text += (adjustment.sign > 0 ? " + " : " - ") + valueText(of: adjustment.key)
        }
        return text
    }

    private func valueText(of path: String) -> String {
        guard let key = schema.key(at: path), let value = key.read(configuration) else { return path }
        let note = writtenKeys.contains(path) ? "" : ", default"
        return "\(path) (\(key.rule.render(value))\(note))"
    }

    /// Two outputs on one line would drive each other's devices; an output on the remote input's
    /// line would be read back as the remote switch.
    private mutating func checkLineSharing() {
        var users: [(key: String, line: LineSelector)] = Output.allCases.compactMap { output in
            configuration.gpio.outputs[output].map { ("\(ConfigurationSchema.tableName(of: output)).line", $0.line) }
        }
        if configuration.remote.mode == .gpio { users.append(("remote.line", configuration.remote.line)) }
        users.removeAll { refusedKeys.contains($0.key) }

        for later in users.indices {
            for earlier in users.indices where earlier < later && users[earlier].line == users[later].line {
                var (subject, other) = (users[later], users[earlier])
                // Blame the key the installer wrote last: that is the one most likely to be the slip.
                if placeInFile(of: other.key) > placeInFile(of: subject.key) { swap(&subject, &other) }
                let otherPlace = writtenKeys.contains(other.key)
                    ? lines.line(of: other.key).map { " (line \($0))" } ?? ""
                    : " (its default)"
                let rendered = ValueRule.line.render(.line(subject.line))
                report(subject.key, "\(subject.key) = \(rendered) is the same line as \(other.key)\(otherPlace): "
                    + "each output and the remote input need a line of their own")
            }
        }
    }

    /// Where a key is written, for ordering; a key left at its default comes before any written one.
    private func placeInFile(of path: String) -> Int {
        writtenKeys.contains(path) ? lines.line(of: path) ?? 0 : -1
    }

    mutating func report(_ key: String, _ message: String) {
        problems.append(ConfigurationProblem(key: key, line: lines.line(of: key), message: message))
    }
}
