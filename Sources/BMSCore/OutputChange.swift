/// One change of one output: what the journal logs and `replay` prints.
public struct OutputChange: Sendable, Hashable {
    /// The output that changed.
    public var output: Output
    /// Its new state.
    public var state: OutputState
    /// When it changed.
    public var at: Instant
    /// Why.
    public var reason: Reason

    public init(output: Output, state: OutputState, at: Instant, reason: Reason) {
        self.output = output
        self.state = state
        self.at = at
        self.reason = reason
    }

    /// The journal line: `LOAD off: battery 2 cell 3 2.79 V < 2.80 V, pre-alarm raised 31 s ago`.
    public var journalText: String { "\(output.displayName) \(state.rawValue): \(reason.text)" }
}

/// Something worth a journal line that is not an output change (a fault starting or ending,
/// a battery number above `batteries`).
public struct Notice: Sendable, Hashable {
    /// How loud the journal line should be.
    public enum Severity: String, Sendable, Hashable {
        case info, warning
    }

    public var severity: Severity
    public var text: String
    /// The battery concerned, when one is.
    public var battery: Int?

    public init(severity: Severity, text: String, battery: Int? = nil) {
        self.severity = severity
        self.text = text
        self.battery = battery
    }
}

/// What the controller decided at one instant: the levels to hold, what changed and why,
/// and when it must be asked again even if no input arrives.
public struct Decision: Sendable {
    /// The level of every output from now on.
    public var levels: OutputLevels
    /// The changes made at this instant, in the order they were decided.
    public var changes: [OutputChange]
    /// Journal-worthy events other than output changes.
    public var notices: [Notice]
    /// The next instant at which a timer is due; `nil` when nothing is pending.
    public var nextDeadline: Instant?
}
