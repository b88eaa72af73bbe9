/// The config file's reference, for manual pages: every table and key, what it accepts, its
/// default, and the order rules between keys.
///
/// Read from ``ConfigurationSchema``, the same tables the validator checks against, so a page made
/// from it (`smallbmsd manual config`, installed as smallbmsd.toml(5)) cannot drift from what
/// `check-config` accepts.
public struct ConfigurationReference: Sendable {
    /// One table, e.g. `[thresholds]` or `[gpio.led_load]`.
    public struct Table: Sendable {
        /// The dotted name, without brackets.
        public let name: String
        /// For an optional table: what leaving it out means; `nil` for a table always in effect.
        public let whenAbsent: String?
        public let keys: [Key]
    }

    /// One key of a table.
    public struct Key: Sendable {
        /// The key within its table, e.g. `load_disconnect_v`.
        public let name: String
        /// `table.name`, the form messages use.
        public let path: String
        /// What it accepts, type first, as check-config words it: `a number 2.60 to 2.80`.
        public let accepts: String
        /// The default as TOML, e.g. `2.70` or `"simulated"`.
        public let defaultValue: String
    }

    /// A relation two settings must keep.
    public struct Order: Sendable {
        /// `thresholds.prealarm_v must be above thresholds.load_disconnect_v`.
        public let rule: String
        /// Why it matters.
        public let reason: String
    }

    /// One key of a `[[battery]]` table, as each source that takes it accepts it.
    public struct BatteryKey: Sendable {
        /// The key within the table, e.g. `baud`.
        public let name: String
        /// Per source, in `batterySources` order.
        public let forms: [BatteryKeyForm]
    }

    /// What a `[[battery]]` key accepts for one source, and its default there.
    public struct BatteryKeyForm: Sendable {
        /// `jbd`, `jk`, `daly`.
        public let source: String
        /// As check-config words it: `an integer 9600`.
        public let accepts: String
        /// The default as TOML (with an empty file's `[bus]`), or `none` for a required key.
        public let defaultValue: String
    }

    /// In the order of the sample file.
    public let tables: [Table]
    public let orderRules: [Order]
    /// What `source` in a `[[battery]]` table accepts.
    public let batterySources: [String]
    /// The other keys of a `[[battery]]` table.
    public let batteryKeys: [BatteryKey]
    /// The most batteries a bank may have in all.
    public let maximumBatteries = ConfigurationSchema.maximumBatteries

    public init() {
        let schema = ConfigurationSchema()
        tables = schema.tables.map { table in
            Table(
                name: table.name,
                whenAbsent: table.optional?.absentNote,
                keys: table.keys.map { key in
                    Key(name: key.name, path: key.path, accepts: key.rule.expected, defaultValue: schema.defaultText(of: key))
                })
        }
        batterySources = BatterySource.allCases.map(\.rawValue)
        batteryKeys = schema.batteryKeys.map { key in
            BatteryKey(name: key.name, forms: key.sources.map { source in
                let rule = key.rule(source)
                return BatteryKeyForm(
                    source: source.rawValue, accepts: rule.expected,
                    defaultValue: key.defaultValue(source, schema.defaults).map(rule.render) ?? "none")
            })
        }
        orderRules = schema.orderRules.map { order in
            var rule = "\(Self.text(of: order.subject)) \(order.relation.text) \(Self.text(of: order.reference))"
            if order.skipsDisabledSubject { rule += " (unless it is 0)" }
            return Order(rule: rule, reason: order.reason)
        }
    }

    /// `thresholds.charge_min_temp_c + thresholds.temp_hysteresis_c`.
    private static func text(of term: OrderRule.Term) -> String {
        guard let adjustment = term.adjustment else { return term.key }
        return "\(term.key) \(adjustment.sign > 0 ? "+" : "-") \(adjustment.key)"
    }
}
