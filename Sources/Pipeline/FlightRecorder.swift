import BMSCore

/// The flight recorder's memory: every input the rules took in the last `window + after`, and
/// the incident being captured after a trip. Pure (time is a parameter) and cheap per input: an
/// append to a ring, nothing encoded until an incident is written.
///
/// A trip (``isTrip(_:)``) opens an incident that holds `window` before the trip and `after`
/// after it; trips until then join the same incident. ``finished(at:)`` hands the incident over
/// once `after` has passed.
public struct FlightRecorder: Sendable {
    /// One input as the rules took it.
    public struct Entry: Sendable, Hashable {
        /// Core time of the turn that delivered it.
        public var at: Instant
        public var input: Controller.Input

        public init(at: Instant, input: Controller.Input) {
            self.at = at
            self.input = input
        }
    }

    /// How much before a trip an incident holds.
    public let window: Duration
    /// How much after the first trip it holds.
    public let after: Duration
    /// `window + after` in nanoseconds: how far back the ring reaches (compared on every input).
    private let keptNanoseconds: Int64
    /// Every input since the ring's start, packed; `head` is the oldest live record's offset.
    private var ring = PackedInputs()
    private var head = 0
    private var liveCount = 0
    /// The remote state and state of charge the evicted entries left: the state at the ring's start.
    private var remoteBeforeRing: Bool?
    private var stateOfChargeBeforeRing: Double?
    private var capture: Incident?

    /// A recorder keeping `window` before and `after` after each trip.
    public init(window: Duration, after: Duration) {
        self.window = window
        self.after = after
        keptNanoseconds = (window + after).nearestNanoseconds
    }

    /// Whether a change is one an incident is recorded for: LOAD or CHARGER going OFF, PRE-ALARM going ON.
    public static func isTrip(_ change: OutputChange) -> Bool {
        switch change.output {
        case .load, .charger: change.state == .off
        case .prealarm: change.state == .on
        default: false
        }
    }

    /// How many inputs the ring holds now.
    public var count: Int { liveCount }

    /// The ring's bytes, dead part included (what the recorder costs in memory).
    public var bytesHeld: Int { ring.endOffset }

    /// Whether an incident is being captured.
    public var isCapturing: Bool { capture != nil }

    /// Keeps `input`, taken at `instant`, and forgets what is older than `window + after`.
    public mutating func take(_ input: Controller.Input, at instant: Instant) {
        ring.append(input, at: instant)
        liveCount += 1
        let horizon = instant.advanced(byNanoseconds: -keptNanoseconds)
        while head < ring.endOffset, ring.instant(at: head) < horizon {
            if !ring.isReading(at: head) { remember(ring.input(at: head), remote: &remoteBeforeRing, stateOfCharge: &stateOfChargeBeforeRing) }
            head = ring.offset(after: head)
            liveCount -= 1
        }
        // Compact once a quarter is dead: the ring holds at most 4/3 of its live bytes, and each
        // byte is moved at most three times on average (amortised O(1) per input).
        if head > 65_536, head * 4 > ring.endOffset {
            ring.removeFirst(head)
            head = 0
        }
    }

    private func remember(_ input: Controller.Input, remote: inout Bool?, stateOfCharge: inout Double?) {
        switch input {
        case .remote(let on): remote = on
        case .stateOfCharge(let percent): stateOfCharge = percent
        case .reading: break
        }
    }

    /// Notes the trips among `changes`; the first opens an incident (its wall-clock time names
    /// the file), later ones until the incident closes join it.
    public mutating func outputsChanged(_ changes: [OutputChange], wallClockSeconds: Double) {
        for change in changes where Self.isTrip(change) {
            if capture != nil {
                capture?.trips.append(change)
            } else {
                let start = Instant(sinceOrigin: max(.zero, change.at.sinceOrigin - window))
                capture = Incident(
                    trips: [change], wallClockSeconds: wallClockSeconds, start: start, end: change.at + after,
                    remoteAtStart: nil, stateOfChargeAtStart: nil, inputs: PackedInputs())
            }
        }
    }

    /// The incident whose `after` has passed by `now`, with its inputs; nil when none is due.
    public mutating func finished(at now: Instant) -> Incident? {
        guard let open = capture, now >= open.end else { return nil }
        return close()
    }

    /// The incident being captured, cut short now (the daemon is stopping); nil when none is open.
    public mutating func finishNow() -> Incident? {
        capture == nil ? nil : close()
    }

    private mutating func close() -> Incident? {
        guard var incident = capture else { return nil }
        capture = nil
        var remote = remoteBeforeRing
        var stateOfCharge = stateOfChargeBeforeRing
        var offset = head
        while offset < ring.endOffset, ring.instant(at: offset) < incident.start {
            if !ring.isReading(at: offset) { remember(ring.input(at: offset), remote: &remote, stateOfCharge: &stateOfCharge) }
            offset = ring.offset(after: offset)
        }
        let first = offset
        while offset < ring.endOffset, ring.instant(at: offset) <= incident.end { offset = ring.offset(after: offset) }
        // One copy of the bytes: decoding and encoding happen where the file is written.
        incident.inputs = ring.slice(first, offset)
        incident.remoteAtStart = remote
        incident.stateOfChargeAtStart = stateOfCharge
        return incident
    }
}
