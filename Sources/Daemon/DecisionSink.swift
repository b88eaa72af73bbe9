import BMSCore

/// Something that is told what happened: the journal, systemd's status line, the status file,
/// the demo's view, and later recordings, history and metrics.
///
/// The lines are driven before any sink is told. A sink never throws into the loop and never
/// blocks it (the watchdog is fed from the same loop): a sink whose work is slow (a disk that may
/// stall, a network) hands it to a thread of its own, and a sink that fails says so once in the
/// journal and carries on. Every method has an empty default, so a sink implements what it uses.
public protocol DecisionSink: AnyObject {
    /// An input reached the rules at `instant` (core time): a reading, a remote edge, a state of
    /// charge. Called for every input, before its decision is carried out: keep it cheap (a
    /// recorder appends to memory here, never writes to disk).
    func inputTaken(_ input: Controller.Input, at instant: Instant)
    /// Outputs changed (already on the lines), with their reasons.
    func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState)
    /// The rules said something that is not an output change (a battery out of range, ...).
    func noticed(_ notices: [Notice], _ daemon: any DaemonState)
    /// The periodic refresh (every status interval, and after a reload).
    func heartbeat(_ daemon: any DaemonState)
    /// The daemon stopped: every output was driven OFF and released.
    func stopped(_ daemon: any DaemonState)
}

extension DecisionSink {
    public func inputTaken(_ input: Controller.Input, at instant: Instant) {}
    public func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {}
    public func noticed(_ notices: [Notice], _ daemon: any DaemonState) {}
    public func heartbeat(_ daemon: any DaemonState) {}
    public func stopped(_ daemon: any DaemonState) {}
}
