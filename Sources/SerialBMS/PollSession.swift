import BMSCore

/// One battery's BMS on a UART, polled in virtual time: no clock reads and no I/O. The edge
/// writes `send`, feeds what it reads to `receive`, sleeps until `nextDeadline` and calls `advance`.
///
/// Every `pollInterval` a new cycle starts; it sends the protocol's requests one after another
/// (the next when the previous reply is complete, or when it timed out after `replyTimeout`),
/// and yields a reading only when every register the mapping needs arrived valid in that same
/// cycle. A reply for another register is refused and counted. A cycle still open when the next
/// poll is due is abandoned (counted), never merged with the next one. Rule 5: any doubt gives
/// no reading, and rule 8 then sees a stale battery.
public struct PollSession<BMSProtocol: PollProtocol>: SerialPoller {
    /// The protocol spoken.
    public let bms: BMSProtocol
    /// The battery number readings carry (1-based).
    public let battery: Int
    /// The configured cell count (sizes waits only; readings carry the cells the BMS reports).
    public let cells: Int
    /// Time from one cycle's start to the next.
    public let pollInterval: Duration
    /// How long one request may wait for its complete answer.
    public let replyTimeout: Duration
    /// How the BMS has been answering; see ``LinkHealth``.
    public private(set) var health = LinkHealth.neverAnswered

    private var decoder: BMSProtocol.Decoder
    private var cycle: BMSProtocol.Cycle?
    /// When the next cycle starts; `nil` means at the next step.
    private var nextPollAt: Instant?
    /// The outstanding request's timeout, while one is outstanding.
    private var replyDeadline: Instant?
    /// The cycle can no longer yield a reading (a timeout or an invalid reply in it).
    private var cycleSpoiled = false
    /// Since the last cycle ended: valid reply frames arrived.
    private var framesSinceCycleEnd = false
    /// The decoder's noise (bad frames and skipped bytes) when the last cycle ended; more now
    /// means bytes came that were not frames. Echoes of our own requests are frames, not noise,
    /// so an adapter that echoes while the BMS is off reads as silent, not garbled.
    private var noiseAtCycleEnd = 0
    private var everAnswered = false
    private var ownCounters = PollCounters()

    /// A session that polls at its first step.
    /// - Parameters:
    ///   - protocol: `.jbd`, `.jk`, `.daly` or any ``PollProtocol`` value.
    ///   - battery: the battery number of the readings.
    ///   - cells: the configured cell count.
    ///   - pollInterval: time between cycle starts (1 s: well inside the 3 s `comms_timeout_s`).
    ///   - replyTimeout: the wait for one request's answer; by default the protocol's for its default baud.
    public init(
        protocol bms: BMSProtocol, battery: Int, cells: Int,
        pollInterval: Duration = .seconds(1), replyTimeout: Duration? = nil
    ) {
        precondition(pollInterval > .zero, "a poll interval is positive")
        self.bms = bms
        self.battery = battery
        self.cells = cells
        self.pollInterval = pollInterval
        self.replyTimeout = replyTimeout ?? bms.defaultReplyTimeout(baud: bms.defaultBaud)
        decoder = bms.makeDecoder()
    }

    /// Running totals, the decoder's included.
    public var counters: PollCounters {
        var all = ownCounters
        all.bad = decoder.counters.bad
        all.skippedBytes = decoder.counters.skippedBytes
        return all
    }

    /// The decoder's own totals (frames, and why others were dropped).
    public var frameCounters: FrameCounters { decoder.counters }

    /// Bytes held of a partial frame (bounded by the protocol's longest frame).
    public var heldByteCount: Int { decoder.heldByteCount }

    /// The next instant something is due: the outstanding request's timeout or the next poll,
    /// whichever is first. Before the first step (and after `reset()`) it is the origin: due now.
    public var nextDeadline: Instant {
        let poll = nextPollAt ?? .origin
        guard let reply = replyDeadline else { return poll }
        return min(poll, reply)
    }

    /// Forgets partial frames and the cycle in progress: the port was reopened. The next step polls.
    /// Counters and health are kept.
    public mutating func reset() {
        decoder.reset()
        cycle = nil
        replyDeadline = nil
        cycleSpoiled = false
        nextPollAt = nil
        framesSinceCycleEnd = false
        noiseAtCycleEnd = noise
    }

    private var noise: Int { decoder.counters.bad + decoder.counters.skippedBytes }

    /// Runs what is due at `now`: reply timeouts, then an abandoned cycle and a new poll.
    public mutating func advance(at now: Instant) -> PollOutput {
        var out = PollOutput()
        runTimers(at: now, into: &out)
        return out
    }

    /// Takes bytes read at `now`. What was due before (a timeout) runs first, so a late reply
    /// never counts as a timely one.
    public mutating func receive(_ bytes: [UInt8], at now: Instant) -> PollOutput {
        var out = PollOutput()
        runTimers(at: now, into: &out)
        guard !bytes.isEmpty else { return out }
        var frames: [BMSProtocol.Decoder.Frame] = []
        decoder.feed(bytes) { frames.append($0) }
        for frame in frames { take(frame, at: now, into: &out) }
        return out
    }

    // MARK: - Steps

    private mutating func runTimers(at now: Instant, into out: inout PollOutput) {
        while true {
            let pollAt = nextPollAt ?? now
            if let deadline = replyDeadline, deadline <= now, deadline <= pollAt, cycle != nil {
                ownCounters.timeouts += 1
                cycleSpoiled = true
                cycle?.requestTimedOut()
                sendNextRequest(at: now, into: &out)
                continue
            }
            guard pollAt <= now else { return }
            if cycle != nil {
                ownCounters.abandonedCycles += 1
                endCycle(reading: nil, completed: false)
            }
            startCycle(at: now, scheduledAt: pollAt, into: &out)
            // A new request's deadline is after `now`; only a zero timeout could be due already.
            if replyDeadline.map({ $0 > now }) ?? true { return }
        }
    }

    private mutating func startCycle(at now: Instant, scheduledAt: Instant, into out: inout PollOutput) {
        // Keep the cadence when on time; after a late step (a stalled loop) start again from now.
        let following = scheduledAt + pollInterval
        nextPollAt = following > now ? following : now + pollInterval
        ownCounters.cycles += 1
        cycle = bms.makeCycle(expectedCells: cells)
        cycleSpoiled = false
        sendNextRequest(at: now, into: &out)
    }

    private mutating func sendNextRequest(at now: Instant, into out: inout PollOutput) {
        guard var current = cycle else { return }
        let request = current.nextRequest()
        cycle = current
        guard let request else {
            let reading = cycleSpoiled ? nil : current.reading(battery: battery)
            if let reading { out.readings.append(reading) }
            endCycle(reading: reading, completed: true)
            return
        }
        ownCounters.polls += 1
        out.send += request
        replyDeadline = now + replyTimeout
    }

    private mutating func take(_ frame: BMSProtocol.Decoder.Frame, at now: Instant, into out: inout PollOutput) {
        guard var current = cycle, replyDeadline != nil else {
            // Between cycles: a late reply, or our own echo.
            framesSinceCycleEnd = true
            ownCounters.unsolicited += 1
            return
        }
        let verdict = current.take(frame)
        cycle = current
        switch verdict {
        case .completes:
            ownCounters.replies += 1
            framesSinceCycleEnd = true
            sendNextRequest(at: now, into: &out)
        case .needsMore:
            ownCounters.replies += 1
            framesSinceCycleEnd = true
        case .wrongRegister:
            ownCounters.wrongRegister += 1
            framesSinceCycleEnd = true
        case .invalid:
            ownCounters.invalidReplies += 1
            framesSinceCycleEnd = true
            cycleSpoiled = true
            sendNextRequest(at: now, into: &out)
        case .notAReply:
            ownCounters.notReplies += 1
        }
    }

    private mutating func endCycle(reading: BatteryReading?, completed: Bool) {
        if reading != nil { ownCounters.readings += 1 }
        if framesSinceCycleEnd {
            everAnswered = true
            health = reading != nil ? .answering : .partial
        } else if noise > noiseAtCycleEnd {
            health = .garbled
        } else {
            health = everAnswered ? .silent : .neverAnswered
        }
        cycle = nil
        replyDeadline = nil
        cycleSpoiled = false
        framesSinceCycleEnd = false
        noiseAtCycleEnd = noise
    }
}
