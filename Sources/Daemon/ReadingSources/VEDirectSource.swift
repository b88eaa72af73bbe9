import BMSCore
import EdgeIO
import Config
import Devices
import Pipeline
import Status
import VEDirect

/// A SmartShunt or BMV on its VE.Direct port (`[vedirect]`, rule 10): read only, a text block a
/// second; each block's `SOC` is a state of charge for the rules.
public final class VEDirectSource: ReadingSource {
    /// A monitor sends a block a second; this long without a state of charge is worth saying.
    static let silence: Duration = .seconds(10)

    private let device: String
    private let link: SerialLink
    private var decoder = VEDirectInputDecoder()
    private var inputs: [Controller.Input] = []
    /// When the last state of charge arrived (real time), and whether its silence was reported.
    private var lastStateOfChargeAt: Duration?
    private var silenceReported = false
    private var startedAt: Duration = .zero

    /// A source for the monitor `[vedirect]` names; nothing is opened until ``start(_:)``.
    public init(monitor: VEDirectConfiguration) {
        device = monitor.device
        link = SerialLink(
            path: monitor.device, baud: VEDirectDecoder.baud, role: .batteryMonitor,
            wording: SerialLink.Wording(
                cannotOpen: { "VE.Direct monitor: \($0); the state-of-charge rule waits for it (the cell rules protect as ever), retrying" },
                isBack: "VE.Direct monitor \(monitor.device) is back",
                lost: { "VE.Direct monitor lost: \($0); the state-of-charge rule keeps its last value, retrying" }))
    }

    public var name: String { "VE.Direct monitor" }
    public var pollInterest: PollInterest? { link.pollInterest }
    public var nextDeadline: Duration? { link.retryAt }

    public func start(_ context: any SourceContext) {
        startedAt = context.now.real
        open(context)
    }

    public func serveDeadline(_ context: any SourceContext) {
        if !link.isOpen, let retryAt = link.retryAt, context.now.real >= retryAt { open(context) }
    }

    public func serve(events: Int16, _ context: any SourceContext) {
        inputs.removeAll(keepingCapacity: true)
        link.drain(at: context.now, context) { bytes in decoder.decode(bytes, into: &inputs) }
        for input in inputs {
            guard case .stateOfCharge(let percent) = input else { continue }
            if lastStateOfChargeAt == nil || silenceReported {
                context.log(.info, "VE.Direct monitor reports a state of charge: \(percentText(percent))", fields: ["RULE": Rule.stateOfCharge.rawValue])
            }
            lastStateOfChargeAt = context.now.real
            silenceReported = false
            context.deliver(input)
        }
    }

    /// Says once when the monitor has sent no state of charge for a while (checked at each status
    /// refresh, so it costs no wake-up). The rule keeps the last value: a low one keeps LOAD off.
    public func heartbeat(_ context: any SourceContext) {
        guard !silenceReported else { return }
        let silentFor = context.now.real - (lastStateOfChargeAt ?? startedAt)
        guard silentFor >= Self.silence else { return }
        silenceReported = true
        let last = context.snapshot().stateOfChargePercent
        context.log(.warning, "VE.Direct monitor sent no state of charge for \(secondsText(silentFor)): the state-of-charge rule acts on \(last.map { "the last one, \(percentText($0))" } ?? "none until one arrives")", fields: ["RULE": Rule.stateOfCharge.rawValue])
    }

    public func report(into report: inout StatusReport, snapshot: ControllerSnapshot) {
        let counters = decoder.counters
        report.monitor = StatusReport.Monitor(
            device: device, isOpen: link.isOpen, stateOfChargePercent: snapshot.stateOfChargePercent,
            blocks: counters.blocks, bad: counters.bad)
    }

    public func stop() { link.close() }

    private func open(_ context: any SourceContext) {
        if link.open(at: context.now, context) { decoder.reset() }
    }
}
