import BMSCore
import Export
import Status
import Testing

/// When Home Assistant is told the bank is available.
@Suite("Status freshness")
struct StatusFreshnessTests {
    private func report(pid: Int = 100, loadReason: String? = "start-up") -> StatusReport {
        let entry = StatusReport.OutputStatus(state: .on, reason: loadReason, since: nil)
        return StatusReport(
            version: "0.1.0", pid: pid, updated: "2026-12-02T06:00:00Z", uptimeSeconds: 1, remote: .on, started: true,
            fault: nil, outputs: StatusReport.Outputs(load: entry, charger: entry, prealarm: entry, ledLoad: entry, ledTempOVP: entry),
            batteries: [], bus: StatusReport.Bus(device: "/dev/ttyUSB0", isOpen: true, sentences: 0, bad: 0, repeats: 0, foreign: 0))
    }

    @Test func aLiveDaemonsRecentFile_isOnline() {
        #expect(StatusFreshness.judge(report(), modifiedSecondsSinceEpoch: 1000, nowSecondsSinceEpoch: 1014,
                                      isAlive: { _ in true }, staleAfter: .seconds(15)) == nil)
    }

    @Test func anOldFile_isAHungDaemon() {
        let why = StatusFreshness.judge(report(), modifiedSecondsSinceEpoch: 1000, nowSecondsSinceEpoch: 1016,
                                        isAlive: { _ in true }, staleAfter: .seconds(15))
        #expect(why == "the status file is more than 15 s old (it is refreshed every 5 s): smallbmsd may be hung")
    }

    @Test func aGonePid_isNotRunning() {
        let why = StatusFreshness.judge(report(pid: 77), modifiedSecondsSinceEpoch: 1000, nowSecondsSinceEpoch: 1001,
                                        isAlive: { $0 != 77 }, staleAfter: .seconds(15))
        #expect(why == "smallbmsd is not running: pid 77, which wrote the status file, is gone")
    }

    @Test func theLastFileOnTheWayOut_isStopped_evenWhileThePidStillExists() {
        let why = StatusFreshness.judge(report(loadReason: "daemon stopped: driven OFF and released"),
                                        modifiedSecondsSinceEpoch: 1000, nowSecondsSinceEpoch: 1000,
                                        isAlive: { _ in true }, staleAfter: .seconds(15))
        #expect(why == "smallbmsd has stopped (its status file says so)")
    }
}
