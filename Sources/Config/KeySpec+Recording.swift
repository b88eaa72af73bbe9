import BMSCore

extension KeySpec {
    /// Seconds of a `[recorder]` or `[history]` key, stored as whole milliseconds.
    static func duration(
        _ table: String, _ name: String, _ range: ClosedRange<Double>, _ keyPath: WritableKeyPath<Configuration, Duration>
    ) -> KeySpec {
        KeySpec(
            table: table, name: name,
            rule: .real(RealRule(range: range, minimumDecimals: 0, maximumDecimals: 3)),
            read: { .real($0[keyPath: keyPath].secondsValue) },
            write: { configuration, value in
                guard let seconds = value.real else { return }
                configuration[keyPath: keyPath] = .milliseconds(Int64((seconds * 1000).rounded()))
            }
        )
    }
}
