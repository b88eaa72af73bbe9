/// A wall-clock time in UTC, from seconds since the Unix epoch: pure calendar arithmetic (no
/// time zone database, no clock read), for incident names and history days.
public struct UTCTime: Sendable, Hashable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z (whole seconds; the fraction is dropped).
    public var epochSeconds: Int64

    public init(epochSeconds: Int64) { self.epochSeconds = epochSeconds }

    /// The time `seconds` after the epoch, rounded down to a whole second.
    public init(epochSeconds seconds: Double) { epochSeconds = Int64(seconds.rounded(.down)) }

    public static func < (lhs: UTCTime, rhs: UTCTime) -> Bool { lhs.epochSeconds < rhs.epochSeconds }

    /// (year, month 1-12, day 1-31, hour, minute, second).
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = Int(epochSeconds.floorDivided(by: 86_400))
        let secondOfDay = Int(epochSeconds - Int64(days) * 86_400)
        // Howard Hinnant's days-to-civil: exact for the proleptic Gregorian calendar.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// `2026-12-02T06:10:03Z`.
    public var isoText: String {
        let c = components
        return "\(dayText)T\(Self.two(c.hour)):\(Self.two(c.minute)):\(Self.two(c.second))Z"
    }

    /// `20261202T061003Z`: sorts as time does, and has no `:` (a file name).
    public var compactText: String {
        let c = components
        return "\(c.year)\(Self.two(c.month))\(Self.two(c.day))T\(Self.two(c.hour))\(Self.two(c.minute))\(Self.two(c.second))Z"
    }

    /// `2026-12-02`: the UTC day, as history groups by it.
    public var dayText: String {
        let c = components
        return "\(c.year)-\(Self.two(c.month))-\(Self.two(c.day))"
    }

    /// The start of a `YYYY-MM-DD` day (UTC), or of `YYYY-MM-DDTHH:MM:SSZ`; nil for anything else.
    public init?(parsing text: String) {
        let digits = text.split(whereSeparator: { "-T:Z".contains($0) }).map { Int($0) }
        guard digits.allSatisfy({ $0 != nil }), digits.count == 3 || digits.count == 6 else { return nil }
        let values = digits.map { $0 ?? 0 }
        let (year, month, day) = (values[0], values[1], values[2])
        guard (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let time = values.count == 6 ? (values[3], values[4], values[5]) : (0, 0, 0)
        guard (0...23).contains(time.0), (0...59).contains(time.1), (0...60).contains(time.2) else { return nil }
        // Hinnant's days-from-civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        epochSeconds = Int64(days) * 86_400 + Int64(time.0 * 3600 + time.1 * 60 + time.2)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
