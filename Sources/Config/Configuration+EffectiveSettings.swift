extension Configuration {
    /// The settings in effect, as TOML: every table and key with its value, defaults filled in.
    ///
    /// `smallbmsd check-config` prints it so that an installer sees what the daemon will do, not
    /// just what the file says. The text is valid TOML and loads back to the same configuration;
    /// an optional table that is off appears as a comment saying so.
    public func effectiveSettingsText() -> String {
        var lines: [String] = []
        for table in ConfigurationSchema().tables {
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
        return lines.joined(separator: "\n") + "\n"
    }
}
