/// One table of the file, with its keys and, for an optional table, what its presence means.
struct TableSpec {
    /// The dotted name, e.g. `gpio.led_load`.
    let name: String
    let keys: [KeySpec]
    /// `nil` for a table that is always in effect, written or not.
    let optional: OptionalTable?

    /// What an optional table switches on.
    struct OptionalTable {
        /// Switches the feature on with its defaults, before the table's own keys are applied.
        let insertDefaults: (inout Configuration) -> Void
        /// Whether a configuration has the feature, so the effective settings can say when it is off.
        let isPresent: (Configuration) -> Bool
        /// What its absence means, for the effective settings.
        let absentNote: String
    }

    /// `led_load` for `gpio.led_load`.
    var leafName: String {
        name.split(separator: ".").last.map(String.init) ?? name
    }

    /// `gpio` for `gpio.led_load`, `nil` for a top-level table.
    var parentName: String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return String(name[..<dot])
    }
}
