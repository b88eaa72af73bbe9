import BMSCore
import SerialBMS

/// A ``PollSession`` wired to a simulated BMS in virtual time: what the session sends reaches the
/// responder at once, its answer (through `tamper`, which may drop or change it) arrives `latency` later.
public struct SimulatedLink<BMSProtocol: PollProtocol, Responder: BMSResponder> {
    /// The session under test.
    public var session: PollSession<BMSProtocol>
    /// The far end.
    public var responder: Responder
    /// Time from a request to its answer's arrival.
    public var latency: Duration
    /// Applied to every answer: (request bytes, answer bytes) -> bytes that arrive.
    public var tamper: @Sendable ([UInt8], [UInt8]) -> [UInt8]
    /// Every reading with the instant it came out.
    public private(set) var readings: [(at: Instant, reading: BatteryReading)] = []
    /// Every request written, with its instant.
    public private(set) var written: [(at: Instant, bytes: [UInt8])] = []
    /// Virtual now.
    public private(set) var now = Instant.origin
    private var pending: [(at: Instant, bytes: [UInt8])] = []

    /// A link; the answer arrives `latency` after each request.
    public init(
        session: PollSession<BMSProtocol>, responder: Responder, latency: Duration = .milliseconds(30),
        tamper: @escaping @Sendable ([UInt8], [UInt8]) -> [UInt8] = { $1 }
    ) {
        self.session = session
        self.responder = responder
        self.latency = latency
        self.tamper = tamper
    }

    /// Runs every event up to and including `end`.
    public mutating func run(until end: Instant) {
        var steps = 0
        while steps < 1_000_000 {
            steps += 1
            let deadline = session.nextDeadline
            let arrival = pending.first?.at
            let next = min(deadline, arrival ?? deadline)
            guard next <= end else { break }
            now = max(now, next)
            let out: PollOutput
            if let arrival, arrival <= deadline {
                let bytes = pending.removeFirst().bytes
                out = session.receive(bytes, at: now)
            } else {
                out = session.advance(at: now)
            }
            readings += out.readings.map { (at: now, reading: $0) }
            if !out.send.isEmpty {
                written.append((at: now, bytes: out.send))
                let answer = tamper(out.send, responder.receive(out.send))
                if !answer.isEmpty { pending.append((at: now + latency, bytes: answer)) }
            }
        }
        now = max(now, end)
    }
}
