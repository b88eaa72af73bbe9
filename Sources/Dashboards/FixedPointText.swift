/// Exact decimal text for the integers the bus delivers: 3312 mV is `3.312`, never `3.3120000000000003`.
///
/// Both dashboards print readings in base units (volts, degrees Celsius); going through `Double`
/// would print binary noise and make equal readings differ as text.
enum FixedPointText {
    /// `value` / 10^`decimals` as text with exactly `decimals` digits after the point
    /// (`(3312, 3)` -> `3.312`, `(-55, 1)` -> `-5.5`, `(7, 0)` -> `7`).
    static func text(_ value: Int, decimals: Int) -> String {
        guard decimals > 0 else { return String(value) }
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt(scale)
        let fraction = String(magnitude % UInt(scale))
        let padded = String(repeating: "0", count: decimals - fraction.count) + fraction
        return "\(value < 0 ? "-" : "")\(whole).\(padded)"
    }
}
