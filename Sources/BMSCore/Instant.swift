/// A point on the controller's monotonic time line.
///
/// The core never reads a clock: the daemon passes instants taken from the monotonic clock,
/// `replay` passes the log's timestamps, and tests advance a virtual clock. An instant is the
/// time elapsed since an origin the caller chooses (the daemon's start, the log's `T = 0`).
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds elapsed since the origin.
    ///
    /// One Int64, not a `Duration`: the rules compare instants for every battery on every input,
    /// and `Duration`'s 128-bit comparisons and sums are calls into the Swift runtime.
    public var nanosecondsSinceOrigin: Int64

    /// The origin itself (`T = 0`).
    public static let origin = Instant(nanosecondsSinceOrigin: 0)

    /// An instant `nanosecondsSinceOrigin` after the origin.
    @inlinable
    public init(nanosecondsSinceOrigin: Int64) {
        self.nanosecondsSinceOrigin = nanosecondsSinceOrigin
    }

    /// An instant `sinceOrigin` after the origin (to the nearest nanosecond).
    public init(sinceOrigin: Duration) {
        nanosecondsSinceOrigin = sinceOrigin.nearestNanoseconds
    }

    /// Time elapsed since the origin.
    public var sinceOrigin: Duration { .nanoseconds(nanosecondsSinceOrigin) }

    /// An instant a number of seconds after the origin (convenient for tests and replay logs).
    public static func seconds(_ seconds: Double) -> Instant {
        Instant(sinceOrigin: .seconds(seconds))
    }

    /// An instant a number of milliseconds after the origin.
    public static func milliseconds(_ milliseconds: Int64) -> Instant {
        Instant(nanosecondsSinceOrigin: milliseconds.multipliedClamped(by: 1_000_000))
    }

    /// Seconds since the origin, as a real number (for display).
    public var seconds: Double { Double(nanosecondsSinceOrigin) / 1e9 }

    /// The instant `nanoseconds` later (earlier when negative), held at the ends of the time line.
    @inlinable
    public func advanced(byNanoseconds nanoseconds: Int64) -> Instant {
        let (sum, overflow) = nanosecondsSinceOrigin.addingReportingOverflow(nanoseconds)
        return Instant(nanosecondsSinceOrigin: overflow ? (nanoseconds < 0 ? .min : .max) : sum)
    }

    /// Nanoseconds from `earlier` to this instant (negative when `earlier` is later).
    @inlinable
    public func nanoseconds(since earlier: Instant) -> Int64 {
        nanosecondsSinceOrigin &- earlier.nanosecondsSinceOrigin
    }

    @inlinable
    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanosecondsSinceOrigin < rhs.nanosecondsSinceOrigin }
    public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(byNanoseconds: rhs.nearestNanoseconds) }
    public static func - (lhs: Instant, rhs: Instant) -> Duration { .nanoseconds(lhs.nanoseconds(since: rhs)) }

    public var description: String { formatSeconds(sinceOrigin) }
}

extension Int64 {
    /// The product, held at `Int64.min` / `Int64.max` instead of overflowing.
    func multipliedClamped(by factor: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: factor)
        guard overflow else { return product }
        return (self < 0) != (factor < 0) ? .min : .max
    }
}

/// `12.345 s`-style text for a duration, with millisecond precision.
func formatSeconds(_ duration: Duration) -> String {
    let milliseconds = duration.wholeMilliseconds
    let sign = milliseconds < 0 ? "-" : ""
    let magnitude = milliseconds.magnitude
    let fraction = magnitude % 1000
    let fractionText = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
    return "\(sign)\(magnitude / 1000).\(fractionText) s"
}

extension Duration {
    /// The duration in whole milliseconds, rounded towards zero.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole nanoseconds, rounded to the nearest (`.seconds(0.7)` is 700,000,000, not
    /// 699,999,999), held at the ends of Int64 (about 292 years either way).
    public var nearestNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let nanoseconds = (attoseconds + (attoseconds < 0 ? -500_000_000 : 500_000_000)) / 1_000_000_000
        let (sum, overflow) = seconds.multipliedClamped(by: 1_000_000_000).addingReportingOverflow(nanoseconds)
        return overflow ? (nanoseconds < 0 ? .min : .max) : sum
    }

    /// The duration in seconds, as a real number.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
