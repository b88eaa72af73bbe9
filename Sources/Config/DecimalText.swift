/// Numbers as an installer writes them in the file: `2.80`, `30`, `0.5`.
enum DecimalText {
    /// `value` rounded to `maximumDecimals` places, with trailing zeros dropped down to `minimumDecimals`.
    static func format(_ value: Double, minimumDecimals: Int, maximumDecimals: Int) -> String {
        var scale = 1
        for _ in 0..<maximumDecimals { scale *= 10 }
        let scaled = (value.magnitude * Double(scale)).rounded()
        // Beyond 2^53 the digits are no longer exact; Swift's own text is then the honest one.
        guard value.isFinite, scaled < 9e15 else { return value.description }
        let units = Int(scaled)
        var fraction = units % scale
        var decimals = maximumDecimals
        while decimals > minimumDecimals, fraction % 10 == 0 {
            fraction /= 10
            decimals -= 1
        }
        let sign = value < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(units / scale)" }
        let digits = String(fraction)
        let padding = String(repeating: "0", count: decimals - digits.count)
        return "\(sign)\(units / scale).\(padding)\(digits)"
    }
}
