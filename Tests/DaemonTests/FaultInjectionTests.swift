import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Faults at every edge, against the real binary: the daemon must keep protecting and fail toward OFF.
@Suite("fault injection, the real binary on a pty")
struct FaultInjectionTests {
    @Test func floodAtFullSpeed_keepsUpAndChangesNothing() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.stopFeeding()
        // Five seconds of sentences as fast as the pty takes them.
        let start = Date()
        var sent = 0
        while Date().timeIntervalSince(start) < 5 {
            daemon.sendCurrent()
            sent += 1
        }
        #expect(daemon.waitForStatus(timeout: 7) { ($0.bus?.sentences ?? 0) > 1000 } != nil)
        let report = try #require(daemon.status())
        #expect(report.state("load") == "on" && report.state("charger") == "on" && report.state("prealarm") == "off")
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0, "after \(sent) sentences")
    }

    @Test func burstOfBadCRCs_betweenGoodSentences_changesNothing() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        let bad = Array("$M8B,1,200,03,4,2000,2000,2000,2000,1,215*0000\r\n".utf8)
        for _ in 0..<2000 { daemon.sendRaw(bad) }
        #expect(daemon.waitForStatus(timeout: 7) { ($0.bus?.bad ?? 0) >= 2000 } != nil)
        let report = try #require(daemon.status())
        #expect(report.state("load") == "on" && report.state("prealarm") == "off", "a bad sentence never acts")
        #expect(daemon.stop() == 0)
    }

    @Test func onlyBadCRCs_lookLikeSilence_andCutWithinTheTimeout() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.stopFeeding()
        let bad = Array("$M8B,1,200,03,4,3300,3300,3300,3300,1,215*0000\r\n".utf8)
        let start = Date()
        var cut: Double?
        while Date().timeIntervalSince(start) < 6, cut == nil {
            daemon.sendRaw(bad)
            usleep(100_000)
            if daemon.status()?.state("load") == "off" { cut = Date().timeIntervalSince(start) }
        }
        #expect(cut.map { $0 <= 2 + 1 } == true, "cut after \(String(describing: cut)) s")
        #expect(daemon.stop() == 0)
    }

    @Test func aBatteryThatStops_cutsWithinTimeoutPlusOne() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.stopFeeding()  // the pty stays open: only the battery is quiet
        let cut = daemon.waitForStatus(timeout: 6) { $0.state("load") == "off" && $0.state("charger") == "off" }
        #expect(cut.map { $0 <= 2 + 1 } == true, "cut after \(String(describing: cut)) s")
        #expect(daemon.status()?.fault?.contains("no fresh valid data") == true)
        #expect(daemon.stop() == 0)
    }

    @Test func anAdapterRepeatingItself_looksSilent() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.stopFeeding()
        let start = Date()
        var cut: Double?
        while Date().timeIntervalSince(start) < 6, cut == nil {
            daemon.sendRepeat(sequence: 77)
            usleep(100_000)
            if daemon.status()?.state("load") == "off" { cut = Date().timeIntervalSince(start) }
        }
        #expect(cut.map { $0 <= 2 + 1 } == true, "cut after \(String(describing: cut)) s")
        #expect(daemon.waitForStatus(timeout: 7) { ($0.bus?.repeats ?? 0) > 5 } != nil)
        #expect(daemon.stop() == 0)
    }

    @Test func configDeletedUnderARunningDaemon_thenReload_keepsTheRunningConfig() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        try FileManager.default.removeItem(atPath: daemon.configPath)
        daemon.signal(SIGHUP)
        #expect(daemon.waitForNotification(timeout: 5) { $0.hasPrefix("RELOADING=1") })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(daemon.standardError.contains("reload refused"), "\(daemon.standardError)")
        #expect(daemon.standardError.contains(daemon.configPath))
        #expect(daemon.process.isRunning)
        daemon.setCells([3000, 3300, 3300, 3300])
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil, "still protecting")
        #expect(daemon.stop() == 0)
    }

    @Test func sigkill_thenSafeState_endsOff() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.signal(SIGKILL)
        daemon.process.waitUntilExit()
        // Simulated lines vanish with the process; on a kernel chip the system test reads the lines.
        let safe = Process()
        safe.executableURL = DaemonHarness.executable
        safe.arguments = ["safe-state", "--config", daemon.configPath]
        safe.standardError = FileHandle.nullDevice
        try safe.run()
        safe.waitUntilExit()
        #expect(safe.terminationStatus == 0)
    }

    static let libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    @Test func wallClockJumps_moveNoTimer() throws {
        guard FileManager.default.fileExists(atPath: Self.libfaketime) else {
            Issue.record("libfaketime is not installed (scripts/install-deps.sh installs it): cannot jump the wall clock")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-faketime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let timestampFile = folder.appendingPathComponent("faketime").path
        try "+0\n".write(toFile: timestampFile, atomically: true, encoding: .utf8)
        let daemon = try DaemonHarness(environment: [
            "LD_PRELOAD": Self.libfaketime, "FAKETIME_TIMESTAMP_FILE": timestampFile, "FAKETIME_NO_CACHE": "1",
            // Only the wall clock moves: the daemon's timers read CLOCK_MONOTONIC.
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        ])
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil, "\(daemon.standardError)")
        daemon.setCells([2750, 3300, 3300, 3300])
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil)
        let prealarmAt = Date()
        // A day forward, then two days back, inside the pre-alarm lead.
        try "+1d\n".write(toFile: timestampFile, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 6)
        let updated = daemon.status()?.updated ?? ""
        try "-1d\n".write(toFile: timestampFile, atomically: true, encoding: .utf8)
        #expect(daemon.status()?.state("load") == "on", "a wall-clock jump must not end the lead early")
        let cut = try #require(daemon.waitForStatus(timeout: 35) { $0.state("load") == "off" })
        _ = cut
        let leadSeconds = Date().timeIntervalSince(prealarmAt)
        #expect(leadSeconds > 28 && leadSeconds < 33, "LOAD off \(leadSeconds) s after PRE-ALARM")
        // The fake did take effect: the status file's wall-clock stamp was a day ahead.
        let formatter = ISO8601DateFormatter()
        let stamp = try #require(formatter.date(from: updated), "updated = \(updated)")
        #expect(stamp.timeIntervalSinceNow > 20 * 3600, "wall clock seen by the daemon: \(updated)")
        #expect(daemon.stop() == 0)
    }
}
