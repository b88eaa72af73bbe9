import BMSCore
import Status

/// Status reports as the daemon writes them, for the dashboards' tests.
enum SampleReports {
    /// Two batteries: battery 1 with four cells and two sensors, battery 2 silent (no data yet,
    /// a fault); LOAD on, PRE-ALARM off; an M8 bus with some bad sentences; a VE.Direct monitor
    /// at 64.5 % when `withMonitor`.
    static func bank(withMonitor: Bool = false, device: String = "/dev/ttyUSB0") -> StatusReport {
        func output(_ state: OutputState) -> StatusReport.OutputStatus {
            StatusReport.OutputStatus(state: state, reason: "start-up", since: "2026-12-02T06:00:00Z")
        }
        return StatusReport(
            version: "0.1.0", pid: 4242, updated: "2026-12-02T06:15:00Z", uptimeSeconds: 900.5, remote: .on,
            started: false, fault: "battery 2 silent for 3.0 s",
            outputs: StatusReport.Outputs(
                load: output(.on), charger: output(.off), prealarm: StatusReport.OutputStatus(state: .off, reason: nil, since: nil),
                ledLoad: output(.on), ledTempOVP: output(.off)),
            batteries: [
                StatusReport.Battery(
                    battery: 1, cellsMillivolts: [3312, 3310, 3308, 3000], temperaturesDecicelsius: [215, -55],
                    flags: "03", ageSeconds: 0.4, fault: nil),
                StatusReport.Battery(
                    battery: 2, cellsMillivolts: [], temperaturesDecicelsius: [], flags: nil, ageSeconds: nil,
                    fault: "silent for 3.0 s"),
            ],
            bus: StatusReport.Bus(device: device, isOpen: true, sentences: 1200, bad: 7, repeats: 2, foreign: 1),
            monitor: withMonitor
                ? StatusReport.Monitor(device: "/dev/ttyUSB1", isOpen: false, stateOfChargePercent: 64.5, blocks: 80, bad: 3)
                : nil)
    }
}
