/// What the controller sees and decided at one instant: the status file's content, before encoding.
public struct ControllerSnapshot: Sendable {
    /// One output's state, since when and why.
    public struct OutputStatus: Sendable {
        public var output: Output
        public var state: OutputState
        /// When it last changed; nil if it never left its start-up OFF.
        public var since: Instant?
        public var reason: Reason?
    }

    /// One battery's latest valid data and link health.
    public struct BatteryStatus: Sendable {
        public var battery: Int
        /// The latest valid reading, nil before the first.
        public var reading: BatteryReading?
        /// Time since the latest fresh valid sentence, nil before the first.
        public var age: Duration?
        /// Why this battery is a fault right now (rule 8), nil while it is healthy.
        public var problem: Reason?
    }

    /// One latch of the state model (UV, PRE, CHG).
    public struct LatchStatus: Sendable {
        public var name: String
        public var isSet: Bool
        /// Why it was last set.
        public var reason: Reason?
    }

    public var remoteOn: Bool
    /// Whether every battery has reported valid data (rule 2).
    public var started: Bool
    /// The rule-8 fault holding now, if any.
    public var fault: Reason?
    public var outputs: [OutputStatus]
    public var batteries: [BatteryStatus]
    public var latches: [LatchStatus]
    public var stateOfChargePercent: Double?
    /// Sentences ignored because their battery number is above `batteries`.
    public var foreignBatterySentences: Int
}
