/// Where log lines go: the journal (or stderr), or the demo's view.
public protocol EventLog: AnyObject {
    /// One line with a priority and structured fields (`OUTPUT=load`, `STATE=off`, ...).
    func log(_ priority: LogPriority, _ message: String, fields: [String: String])
}

extension EventLog {
    /// One line without structured fields.
    public func log(_ priority: LogPriority, _ message: String) { log(priority, message, fields: [:]) }
}
