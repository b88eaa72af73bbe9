/// Which real numbers a key accepts and how its values are written back.
struct RealRule {
    /// The accepted values, in the file's unit.
    var range: ClosedRange<Double>
    /// Digits after the point always shown (`2.80`, `50.0`, `30`).
    var minimumDecimals: Int
    /// The resolution the value is stored with (millivolts: 3, decicelsius: 1, milliseconds: 3).
    var maximumDecimals: Int
    /// `true` when `0` turns the feature off instead of being out of range.
    var zeroDisables = false

    func allows(_ value: Double) -> Bool {
        range.contains(value) || (zeroDisables && value == 0)
    }

    func format(_ value: Double) -> String {
        DecimalText.format(value, minimumDecimals: minimumDecimals, maximumDecimals: maximumDecimals)
    }

    /// `2.85 to 3.15`, or `2.00 to 2.70, or 0 to disable`.
    var allowedText: String {
        let bounds = "\(format(range.lowerBound)) to \(format(range.upperBound))"
        return zeroDisables ? "\(bounds), or 0 to disable" : bounds
    }
}
