/// The bias the kernel applies to the remote input line (`[remote] bias`).
public enum LineBias: String, Sendable, Hashable, CaseIterable {
    /// Pulled up: an open contact reads high.
    case pullUp = "pull-up"
    /// Pulled down: an open contact reads low.
    case pullDown = "pull-down"
    /// No bias: the wiring has its own resistor.
    case disabled = "disabled"
    /// Leave whatever bias the line already has.
    case asIs = "as-is"
}
