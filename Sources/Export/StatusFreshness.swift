import Status

/// Whether a status file speaks for a running daemon now: the exporter's `online` or `offline`.
public enum StatusFreshness {
    /// Nil when the daemon that wrote `report` runs and wrote it within `staleAfter`; otherwise
    /// why not, worded for the journal. `isAlive` tells whether a process id exists.
    public static func judge(
        _ report: StatusReport, modifiedSecondsSinceEpoch modified: Double, nowSecondsSinceEpoch now: Double,
        isAlive: (Int) -> Bool, staleAfter: Duration
    ) -> String? {
        // The daemon's last file on the way out says so in every output's reason.
        if report.outputs.load.reason?.hasPrefix("daemon stopped") == true {
            return "smallbmsd has stopped (its status file says so)"
        }
        if !isAlive(report.pid) {
            return "smallbmsd is not running: pid \(report.pid), which wrote the status file, is gone"
        }
        let limit = staleAfter.components.seconds
        if now - modified > Double(limit) {
            // No age in the text: the exporter journals a problem when its words change.
            return "the status file is more than \(limit) s old (it is refreshed every 5 s): smallbmsd may be hung"
        }
        return nil
    }
}
