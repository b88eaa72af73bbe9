import BMSCore
import EdgeIO
import Config
import Devices
import Pipeline
import Status

/// The M8 bus adapter on a UART (`[bus]`): it talks, we listen. Every `$M8B` sentence with a new
/// seq is a fresh reading of the battery it names (behaviour.md, "Where readings come from", `m8`).
///
/// It gates readiness: the daemon tells systemd it is ready only once this port is open.
public final class M8AdapterSource: ReadingSource {
    private let bus: BusConfiguration
    private let link: SerialLink
    private var decoder = M8InputDecoder()
    private var inputs: [Controller.Input] = []

    /// A source for the adapter `[bus]` names; nothing is opened until ``start(_:)``.
    public init(bus: BusConfiguration) {
        self.bus = bus
        link = SerialLink(
            path: bus.device, baud: bus.baud, role: .busAdapter,
            wording: SerialLink.Wording(
                cannotOpen: { "\($0); the batteries count as silent (LOAD and CHARGER OFF after comms_timeout_s), retrying until it is back" },
                isBack: "bus device \(bus.device) is back",
                lost: { "bus device lost: \($0); the batteries count as silent, retrying" }))
    }

    public var name: String { "bus" }
    public var isReady: Bool { link.isOpen }
    public var pollInterest: PollInterest? { link.pollInterest }
    public var nextDeadline: Duration? { link.retryAt }

    public func start(_ context: any SourceContext) { open(context) }

    public func serveDeadline(_ context: any SourceContext) {
        if !link.isOpen, let retryAt = link.retryAt, context.now.real >= retryAt { open(context) }
    }

    public func serve(events: Int16, _ context: any SourceContext) {
        inputs.removeAll(keepingCapacity: true)
        link.drain(at: context.now, context) { bytes in decoder.decode(bytes, into: &inputs) }
        for input in inputs { context.deliver(input) }
    }

    public func report(into report: inout StatusReport, snapshot: ControllerSnapshot) {
        let counters = decoder.counters
        report.bus = StatusReport.Bus(
            device: bus.device, isOpen: link.isOpen, sentences: counters.sentences, bad: counters.bad,
            repeats: counters.repeats, foreign: counters.foreign)
    }

    public func stop() { link.close() }

    private func open(_ context: any SourceContext) {
        if link.open(at: context.now, context) { decoder.reset() }
    }
}
