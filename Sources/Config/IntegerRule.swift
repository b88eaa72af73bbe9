/// Which integers a key accepts.
enum IntegerRule {
    /// Any integer in the range.
    case range(ClosedRange<Int>)
    /// One of a few values (cell counts, baud rates): anything else is unsupported, not "out of range".
    case oneOf([Int])

    func allows(_ value: Int) -> Bool {
        switch self {
        case .range(let range): range.contains(value)
        case .oneOf(let values): values.contains(value)
        }
    }

    /// `1 to 20`, `4 or 8`.
    var allowedText: String {
        switch self {
        case .range(let range): "\(range.lowerBound) to \(range.upperBound)"
        case .oneOf(let values): ListText.alternatives(values.map(String.init))
        }
    }
}
