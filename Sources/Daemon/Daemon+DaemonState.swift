import BMSCore
import Status

/// What sinks read of the running daemon, each value made when asked for.
extension Daemon {
    public func snapshot() -> ControllerSnapshot { controller.snapshot(at: clock.coreNow()) }

    public func statusReport(stopping: Bool) -> StatusReport {
        StatusReportBuilder.report(
            snapshot: snapshot(), configuration: configuration, sources: sources, coreNow: clock.coreNow(),
            wallClockSeconds: clock.wallClockSeconds(), uptime: clock.realNow() - startedAtReal, stopping: stopping)
    }
}
