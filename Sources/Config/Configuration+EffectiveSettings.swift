extension Configuration {
    /// The settings in effect, as TOML: every table and key with its value, defaults filled in.
    ///
    /// `smallbmsd check-config` prints it so that an installer sees what the daemon will do, not
    /// just what the file says. The text is valid TOML and loads back to the same configuration;
    /// an optional table that is off appears as a comment saying so.
    public func effectiveSettingsText() -> String {
        var lines: [String] = []
        let schema = ConfigurationSchema()
        for table in schema.tables {
            if table.name == "bus", !hasBusAdapter {
                lines.append("# [bus] absent: \(ConfigurationSchema.busAbsentNote)")
                continue
            }
            if let optional = table.optional, !optional.isPresent(self) {
                lines.append("# [\(table.name)] absent: \(optional.absentNote)")
                continue
            }
            lines.append("[\(table.name)]")
            for key in table.keys {
                guard let value = key.read(self) else { continue }
                lines.append("\(key.name) = \(key.rule.render(value))")
            }
        }
        for battery in batteries {
            lines.append("[[battery]] # battery \(battery.number)")
            lines.append("source = \(TOMLText.quoted(battery.source.rawValue))")
            for key in schema.batteryKeys where key.sources.contains(battery.source) {
                guard let value = key.read(battery) else { continue }
                lines.append("\(key.name) = \(key.rule(battery.source).render(value))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
