import BMSCore
import M8Bus

/// The one data path: bytes from the bus -> decoder -> sentences -> rule core -> decision.
///
/// The daemon, `replay` and `demo` all feed this same type; only where the bytes and the
/// instants come from differs (a UART and the monotonic clock, or a log and its timestamps).
public struct BusController: Sendable {
    /// The rule core.
    public private(set) var controller: Controller
    /// The streaming M8 decoder, with its counters.
    public private(set) var decoder = SentenceDecoder()

    /// A controller with every output off, started at `start`.
    public init(settings: Settings, start: Instant = .origin) {
        controller = Controller(settings: settings, start: start)
    }

    /// The decoder's counters: good, bad, repeated and foreign sentences.
    public var counters: BusCounters { decoder.counters }

    /// Feeds bytes received at `now`; every complete sentence goes to the rules.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, at now: Instant) -> Decision {
        var sentences: [M8Sentence] = []
        decoder.feed(bytes) { sentences.append($0) }
        guard !sentences.isEmpty else { return controller.evaluate(at: now) }
        var merged = DecisionAccumulator()
        for sentence in sentences {
            merged.add(controller.handle(.reading(BatteryReading(sentence)), at: now))
        }
        return merged.decision!
    }

    /// Feeds bytes received at `now` (convenience for arrays and strings' UTF-8).
    public mutating func receive<C: Collection>(_ bytes: C, at now: Instant) -> Decision where C.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBytes { receive($0, at: now) }
    }

    /// A non-bus input (remote, state of charge) at `now`.
    public mutating func handle(_ input: Controller.Input, at now: Instant) -> Decision {
        controller.handle(input, at: now)
    }

    /// Evaluates at `now` with no new input: due timers fire.
    public mutating func evaluate(at now: Instant) -> Decision {
        controller.evaluate(at: now)
    }

    /// The last decision's changes reached the lines at `instant` (see ``Controller/outputsApplied(_:at:)``);
    /// returns the next deadline.
    public mutating func outputsApplied(_ changes: [OutputChange], at instant: Instant) -> Instant? {
        controller.outputsApplied(changes, at: instant)
    }

    /// Takes new settings from a config reload (see ``Controller/reconfigure(_:at:)``).
    public mutating func reconfigure(_ settings: Settings, at now: Instant) {
        controller.reconfigure(settings, at: now)
    }

    /// Forgets a partial sentence, e.g. after the serial device was reopened.
    public mutating func resetDecoder() {
        decoder.reset()
    }
}

/// Several decisions taken at one instant, merged into one.
struct DecisionAccumulator {
    private(set) var decision: Decision?

    mutating func add(_ next: Decision) {
        guard var merged = decision else {
            decision = next
            return
        }
        merged.changes += next.changes
        merged.notices += next.notices
        merged.levels = next.levels
        merged.nextDeadline = next.nextDeadline
        decision = merged
    }
}

extension BatteryReading {
    /// The core's view of a decoded bus sentence.
    public init(_ sentence: M8Sentence) {
        self.init(
            battery: sentence.battery, flags: BatteryFlags(rawValue: sentence.flags),
            cellMillivolts: sentence.cellMillivolts, temperatureDecicelsius: sentence.temperatureDecicelsius)
    }
}
