import BMSCore

/// The rule core behind one decoder: bytes -> decoder -> inputs -> controller -> decision.
///
/// `replay`, the benchmarks and tests feed bytes through it in virtual time; the daemon does the
/// same in its sources, one decoder per device, into one controller.
public struct DecodingController<Decoder: InputDecoder>: Sendable {
    /// The rule core.
    public private(set) var controller: Controller
    /// The decoder, with its counters.
    public private(set) var decoder: Decoder
    private var inputs: [Controller.Input] = []

    /// A controller with every output off, started at `start`, behind `decoder`.
    public init(settings: Settings, decoder: Decoder, start: Instant = .origin) {
        controller = Controller(settings: settings, start: start)
        self.decoder = decoder
    }

    /// Feeds bytes received at `now`; every input they complete goes to the rules.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, at now: Instant) -> Decision {
        inputs.removeAll(keepingCapacity: true)
        decoder.decode(bytes, into: &inputs)
        return handle(inputs, at: now)
    }

    /// Several inputs that arrived at one instant, as one decision (an evaluation when there are none).
    public mutating func handle(_ inputs: [Controller.Input], at now: Instant) -> Decision {
        var merged = DecisionMerger()
        for input in inputs { merged.add(controller.handle(input, at: now)) }
        return merged.decision ?? controller.evaluate(at: now)
    }

    /// Feeds bytes received at `now` (convenience for arrays and strings' UTF-8).
    public mutating func receive<C: Collection>(_ bytes: C, at now: Instant) -> Decision where C.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBytes { receive($0, at: now) }
    }

    /// Any other input (remote, state of charge) at `now`.
    public mutating func handle(_ input: Controller.Input, at now: Instant) -> Decision {
        controller.handle(input, at: now)
    }

    /// Evaluates at `now` with no new input: due timers fire.
    public mutating func evaluate(at now: Instant) -> Decision {
        controller.evaluate(at: now)
    }
}

extension DecodingController where Decoder == M8InputDecoder {
    /// A controller behind an M8 sentence decoder.
    public init(settings: Settings, start: Instant = .origin) {
        self.init(settings: settings, decoder: M8InputDecoder(), start: start)
    }
}
