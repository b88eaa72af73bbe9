import BMSCore
import Systemd

/// The one-line summary `systemctl status` shows (sd_notify `STATUS=`), renewed on every change:
/// `LOAD on, CHARGER on, PRE-ALARM off; cells 3.30 V..3.32 V`.
public final class SystemdStatusSink: DecisionSink {
    public init() {}

    public func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {
        _ = ServiceManager.status(Self.line(levels: daemon.levels, snapshot: daemon.snapshot()))
    }

    /// The summary of `levels` and what the rules see.
    static func line(levels: OutputLevels, snapshot: ControllerSnapshot) -> String {
        let outputsText = [Output.load, .charger, .prealarm].map { "\($0.displayName) \(levels[$0].rawValue)" }
        let cells = snapshot.batteries.compactMap(\.reading).flatMap(\.cellMillivolts)
        var line = outputsText.joined(separator: ", ")
        if let low = cells.min(), let high = cells.max() {
            line += "; cells \(voltsText(millivolts: low))..\(voltsText(millivolts: high))"
        }
        if let fault = snapshot.fault { line += "; fault: \(fault.text)" }
        return line
    }
}
