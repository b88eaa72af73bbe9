import BMSCore
import Config
import Daly
import Devices
import EdgeIO
import JBD
import JK
import SerialBMS
import Status

/// A battery's own BMS on a UART (`[[battery]]` with `source = "jbd"`, `"jk"` or `"daly"`): we
/// poll, it answers. One port per battery; the pure ``SerialBMS/PollSession`` decides what to send
/// and when, and which replies make a fresh reading; this class only moves bytes and time.
///
/// The session runs on the daemon's real (monotonic) time, `Instant(sinceOrigin: now.real)`:
/// poll intervals and reply timeouts are wire time, and `nextDeadline` is then the session's
/// own without conversion. Readings go to the rules at the turn's core instant, like every input.
///
/// The journal says once per change of the link's health what is wrong and what to check, and
/// when it is back. A closed port (adapter unplugged) is reopened with back-off; meanwhile the
/// battery is silent and rule 8 cuts LOAD and CHARGER after its `comms_timeout_s`.
public final class SerialBMSSource: ReadingSource {
    private let battery: BatteryConfiguration
    private let serial: SerialBatteryLink
    private let link: SerialLink
    private var session: any SerialPoller
    /// The health last said in the journal; nil before the first judgement.
    private var announcedHealth: LinkHealth?
    private var chunk: [UInt8] = []

    /// A source for one `[[battery]]` (the `table`th of the file) with a serial link; nothing is
    /// opened until ``start(_:)``.
    public init(battery: BatteryConfiguration, serial: SerialBatteryLink, table index: Int) {
        self.battery = battery
        self.serial = serial
        session = Self.session(for: battery, serial: serial)
        let name = "battery \(battery.number) (\(battery.source.rawValue))"
        link = SerialLink(
            path: serial.device, baud: serial.baud, role: .batteryBMS(table: index),
            wording: SerialLink.Wording(
                cannotOpen: { "\(name): \($0); the battery counts as silent (LOAD and CHARGER OFF after comms_timeout_s), retrying until it is back" },
                isBack: "\(name): \(serial.device) is back; polling again",
                lost: { "\(name) lost: \($0); the battery counts as silent, retrying" }))
    }

    /// The poll session of the battery's protocol, with the reply timeout of its baud.
    static func session(for battery: BatteryConfiguration, serial: SerialBatteryLink) -> any SerialPoller {
        switch battery.source {
        case .jbd:
            PollSession(
                protocol: .jbd, battery: battery.number, cells: battery.cells, pollInterval: serial.pollInterval,
                replyTimeout: JBDProtocol().defaultReplyTimeout(baud: serial.baud))
        case .jk:
            PollSession(
                protocol: .jk, battery: battery.number, cells: battery.cells, pollInterval: serial.pollInterval,
                replyTimeout: JKProtocol().defaultReplyTimeout(baud: serial.baud))
        case .daly:
            PollSession(
                protocol: .daly, battery: battery.number, cells: battery.cells, pollInterval: serial.pollInterval,
                replyTimeout: DalyProtocol().defaultReplyTimeout(baud: serial.baud))
        case .victronBLE:
            // Daemon.sources(for:) gives Bluetooth batteries to VictronBLESource; they have no UART.
            preconditionFailure("battery \(battery.number) is victron-ble: it is read by VictronBLESource, not polled")
        }
    }

    public var name: String { "battery \(battery.number) (\(battery.source.rawValue))" }
    public var pollInterest: PollInterest? { link.pollInterest }

    /// While open: the session's next poll or reply timeout; while closed: the next reopening.
    public var nextDeadline: Duration? {
        link.isOpen ? session.nextDeadline.sinceOrigin : link.retryAt
    }

    public func start(_ context: any SourceContext) { open(context) }

    public func serveDeadline(_ context: any SourceContext) {
        guard link.isOpen else {
            if let retryAt = link.retryAt, context.now.real >= retryAt { open(context) }
            return
        }
        carryOut(session.advance(at: instant(context)), context)
    }

    public func serve(events: Int16, _ context: any SourceContext) {
        chunk.removeAll(keepingCapacity: true)
        link.drain(at: context.now, context) { bytes in chunk.append(contentsOf: bytes) }
        // A read that failed closed the port: its session starts afresh when it reopens.
        carryOut(session.receive(chunk, at: instant(context)), context)
    }

    public func report(into report: inout StatusReport, snapshot: ControllerSnapshot) {
        let counters = session.counters
        let entry = StatusReport.SourceLink(
            battery: battery.number, source: battery.source.rawValue, device: serial.device, isOpen: link.isOpen,
            health: Self.healthText(session.health), polls: counters.polls, replies: counters.replies,
            readings: counters.readings, bad: counters.bad, timeouts: counters.timeouts,
            wrongRegister: counters.wrongRegister)
        report.sources = (report.sources ?? []) + [entry]
    }

    public func stop() { link.close() }

    // MARK: - Steps

    private func instant(_ context: any SourceContext) -> Instant {
        Instant(sinceOrigin: context.now.real)
    }

    private func open(_ context: any SourceContext) {
        guard link.open(at: context.now, context) else { return }
        // Bytes of a half reply from before are gone with the old port; poll at once.
        session.reset()
        carryOut(session.advance(at: instant(context)), context)
    }

    private func carryOut(_ output: PollOutput, _ context: any SourceContext) {
        if !output.send.isEmpty { link.write(output.send, at: context.now, context) }
        for reading in output.readings { context.deliver(.reading(reading)) }
        judgeHealth(context)
    }

    /// Says once per change what the link's health means. The first cycle is judged only once it
    /// has ended (the second has started), so a BMS that answers is never first called silent.
    private func judgeHealth(_ context: any SourceContext) {
        let health = session.health
        guard health != announcedHealth else { return }
        let counters = session.counters
        if announcedHealth == nil, health == .neverAnswered, counters.cycles < 2 { return }
        let previous = announcedHealth
        announcedHealth = health
        let fields = [
            "BATTERY": String(battery.number), "DEVICE": serial.device, "SOURCE": battery.source.rawValue,
            "LINK": Self.healthText(health),
        ]
        let who = "\(name) on \(serial.device)"
        switch health {
        case .answering:
            let again = previous == nil || previous == .neverAnswered ? "answers" : "answers again"
            context.log(.info, "\(who) \(again): every register valid, \(counters.readings) reading\(counters.readings == 1 ? "" : "s") so far", fields: fields)
        case .neverAnswered:
            context.log(.warning, "\(who): no reply at all to \(counters.polls) requests: check the wiring (the adapter's TX to the BMS's RX and RX to TX; swapped RX/TX is the most common fault), GND connected, on an RS485 adapter A and B (swapped: swap them), and that the BMS runs at \(serial.baud) baud; the battery counts as silent (LOAD and CHARGER OFF after comms_timeout_s)", fields: fields)
        case .garbled:
            context.log(.warning, "\(who): bytes arrive but never a valid reply (\(counters.bad) bad frames): most often a wrong baud (this BMS needs \(serial.baud)), else noise on a long or unshielded cable or another device on this port; no reading until it is valid", fields: fields)
        case .silent:
            context.log(.warning, "\(who) stopped answering (\(counters.timeouts) timeouts so far): check its cable and connector and that the BMS is powered (some BMSes sleep: wake it with a charger or its button); the battery counts as silent (LOAD and CHARGER OFF after comms_timeout_s)", fields: fields)
        case .partial:
            context.log(.warning, "\(who) answers only some requests (\(counters.timeouts) timeouts, \(counters.wrongRegister) replies for another register, \(counters.invalidReplies) invalid): no reading until every register arrives valid in one cycle; check the cable (a loose contact) and that no other program polls this BMS", fields: fields)
        }
    }

    /// The status file's words for a link's health.
    static func healthText(_ health: LinkHealth) -> String {
        switch health {
        case .neverAnswered: "never answered"
        case .answering: "answering"
        case .partial: "partial"
        case .silent: "silent"
        case .garbled: "garbled"
        }
    }
}
