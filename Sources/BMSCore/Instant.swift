/// A point on the controller's monotonic time line.
///
/// The core never reads a clock: the daemon passes instants taken from the monotonic clock,
/// `replay` passes the log's timestamps, and tests advance a virtual clock. An instant is the
/// time elapsed since an origin the caller chooses (the daemon's start, the log's `T = 0`).
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Time elapsed since the origin.
    public var sinceOrigin: Duration

    /// The origin itself (`T = 0`).
    public static let origin = Instant(sinceOrigin: .zero)

    /// An instant `sinceOrigin` after the origin.
    public init(sinceOrigin: Duration) {
        self.sinceOrigin = sinceOrigin
    }

    /// An instant a number of seconds after the origin (convenient for tests and replay logs).
    public static func seconds(_ seconds: Double) -> Instant {
        Instant(sinceOrigin: .seconds(seconds))
    }

    /// An instant a number of milliseconds after the origin.
    public static func milliseconds(_ milliseconds: Int64) -> Instant {
        Instant(sinceOrigin: .milliseconds(milliseconds))
    }

    /// Seconds since the origin, as a real number (for display).
    public var seconds: Double {
        let (wholeSeconds, attoseconds) = sinceOrigin.components
        return Double(wholeSeconds) + Double(attoseconds) / 1e18
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceOrigin < rhs.sinceOrigin }
    public static func + (lhs: Instant, rhs: Duration) -> Instant { Instant(sinceOrigin: lhs.sinceOrigin + rhs) }
    public static func - (lhs: Instant, rhs: Instant) -> Duration { lhs.sinceOrigin - rhs.sinceOrigin }

    public var description: String { formatSeconds(sinceOrigin) }
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

    /// The duration in seconds, as a real number.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
