import BMSCore

/// One recorded incident: the trips, and every input from `start` (the file's `T = 0`) to `end`.
public struct Incident: Sendable, Hashable {
    /// The trips, the first one first: it names the file and sets the window.
    public var trips: [OutputChange]
    /// Seconds since the Unix epoch at the first trip.
    public var wallClockSeconds: Double
    /// Core time of the file's `T = 0`: `window` before the first trip (or the daemon's start).
    public var start: Instant
    /// Core time of the last input kept: `after` past the first trip (or the stop).
    public var end: Instant
    /// The remote input's state from before `start`, when an edge fell out of the window.
    public var remoteAtStart: Bool?
    /// The last state of charge from before `start`, likewise.
    public var stateOfChargeAtStart: Double?
    /// The inputs from `start` to `end`, in order, packed.
    public var inputs: PackedInputs

    /// The inputs, decoded.
    public var entries: [FlightRecorder.Entry] { inputs.entries }

    public init(
        trips: [OutputChange], wallClockSeconds: Double, start: Instant, end: Instant,
        remoteAtStart: Bool?, stateOfChargeAtStart: Double?, inputs: PackedInputs
    ) {
        self.trips = trips
        self.wallClockSeconds = wallClockSeconds
        self.start = start
        self.end = end
        self.remoteAtStart = remoteAtStart
        self.stateOfChargeAtStart = stateOfChargeAtStart
        self.inputs = inputs
    }

    /// `20261202T061003Z-load-critical-floor.log`.
    public var fileName: String {
        let trip = trips[0]
        return "\(UTCTime(epochSeconds: wallClockSeconds).compactText)-\(trip.output.rawValue)-\(trip.reason.rule.rawValue).log"
    }
}
