import BMSCore
import BuildInfo
import Config
import Status
#if canImport(Glibc)
import Glibc
#endif

/// Turns what the controller sees, and what each source says of its link, into the status file's report.
enum StatusReportBuilder {
    static func report(
        snapshot: ControllerSnapshot, configuration: Configuration, sources: [any ReadingSource], coreNow: Instant,
        wallClockSeconds: Double, uptime: Duration, stopping: Bool
    ) -> StatusReport {
        var report = StatusReport(
            snapshot: snapshot, at: coreNow, wallClockNow: wallClockSeconds, version: smallbmsdVersion,
            pid: Int(getpid()), uptime: uptime,
            // The bus adapter's source fills this in (until it reports, it shows closed); a bank
            // without an adapter has none.
            bus: configuration.hasBusAdapter
                ? StatusReport.Bus(device: configuration.bus.device, isOpen: false, sentences: 0, bad: 0, repeats: 0, foreign: 0)
                : nil)
        for source in sources { source.report(into: &report, snapshot: snapshot) }
        if stopping {
            // The lines were driven OFF and released on the way out: say so, whatever the rules held.
            let stamp = StatusReport.timestamp(secondsSinceEpoch: wallClockSeconds)
            for output in Output.allCases {
                report.outputs[output] = StatusReport.OutputStatus(state: .off, reason: "daemon stopped: driven OFF and released", since: stamp)
            }
            report.bus?.isOpen = false
            report.monitor?.isOpen = false
            if let links = report.sources {
                report.sources = links.map { var link = $0; link.isOpen = false; return link }
            }
        }
        return report
    }
}
