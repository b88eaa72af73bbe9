import BMSCore
import BuildInfo
import Config
import Hardware
import M8Bus
import VEDirect
#if canImport(Glibc)
import Glibc
#endif

/// Turns what the controller sees into the status file's report.
enum StatusReportBuilder {
    static func report(
        snapshot: ControllerSnapshot, counters: BusCounters, configuration: Configuration, busOpen: Bool,
        monitorCounters: VEDirectCounters, monitorOpen: Bool, coreNow: Instant, uptime: Duration, stopping: Bool
    ) -> StatusReport {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wallClock = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        var report = StatusReport(
            snapshot: snapshot, at: coreNow, wallClockNow: wallClock, version: smallbmsdVersion,
            pid: Int(getpid()), uptime: uptime,
            bus: StatusReport.Bus(
                device: configuration.bus.device, isOpen: busOpen, sentences: counters.sentences,
                bad: counters.bad, repeats: counters.repeats, foreign: counters.foreign),
            monitor: configuration.vedirect.map { vedirect in
                StatusReport.Monitor(
                    device: vedirect.device, isOpen: monitorOpen, stateOfChargePercent: snapshot.stateOfChargePercent,
                    blocks: monitorCounters.blocks, bad: monitorCounters.bad)
            })
        if stopping {
            // The lines were driven OFF and released on the way out: say so, whatever the rules held.
            let stamp = StatusReport.timestamp(secondsSinceEpoch: wallClock)
            for output in Output.allCases {
                report.outputs[output] = StatusReport.OutputStatus(state: .off, reason: "daemon stopped: driven OFF and released", since: stamp)
            }
            report.bus.isOpen = false
            report.monitor?.isOpen = false
        }
        return report
    }
}
