import BMSCore
import EdgeIO

/// Every output change as one journal line that says why, with structured fields
/// (`journalctl -u smallbmsd OUTPUT=load`), and the rules' notices.
public final class JournalSink: DecisionSink {
    private let log: any EventLog

    /// A sink writing to `log` (the journal, or the demo's view).
    public init(log: any EventLog) { self.log = log }

    public func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {
        for change in changes {
            var fields = [
                "OUTPUT": change.output.rawValue, "STATE": change.state.rawValue, "RULE": change.reason.rule.rawValue,
            ]
            if let battery = change.reason.battery { fields["BATTERY"] = String(battery) }
            if let cell = change.reason.cell { fields["CELL"] = String(cell) }
            // Protective moves are warnings, so `journalctl -p warning` shows every cut.
            let protective = change.state == .off && (change.output == .load || change.output == .charger)
                || change.state == .on && change.output == .prealarm
            log.log(protective ? .warning : .notice, change.journalText, fields: fields)
        }
    }

    public func noticed(_ notices: [Notice], _ daemon: any DaemonState) {
        for notice in notices {
            var fields: [String: String] = [:]
            if let battery = notice.battery { fields["BATTERY"] = String(battery) }
            log.log(notice.severity == .warning ? .warning : .info, notice.text, fields: fields)
        }
    }
}
