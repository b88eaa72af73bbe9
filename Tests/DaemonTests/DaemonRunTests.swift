import Foundation
import Devices
import EdgeIO
import Status
import Systemd
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `smallbmsd run` on a pty: what an installer's systemd would see.
@Suite("smallbmsd run, the real binary on a pty")
struct DaemonRunTests {
    @Test func ready_arrives_andOutputsComeOnOnceTheBatteryReports() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        #expect(daemon.waitForNotification(timeout: 10) { $0 == "READY=1" }, "\(daemon.standardError)")
        // No data yet: everything stays OFF.
        Thread.sleep(forTimeInterval: 0.5)
        #expect(daemon.status().map { $0.state("load") == "off" && $0.state("charger") == "off" } ?? true)
        daemon.startFeeding()
        let elapsed = daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" && $0.state("charger") == "on" }
        #expect(elapsed != nil, "\(daemon.standardError)")
        #expect(daemon.waitForNotification(timeout: 5) { $0.hasPrefix("STATUS=LOAD on") })
        #expect(daemon.stop() == 0)
    }

    @Test func watchdog_pingsAtHalfTheInterval() throws {
        let daemon = try DaemonHarness(environment: ["WATCHDOG_USEC": "1000000"])
        try daemon.start()
        daemon.startFeeding()
        daemon.listen(for: 3.2)
        let pings = daemon.notifications.filter { $0.text == "WATCHDOG=1" }.map(\.at)
        // 3.2 s at one ping every 0.5 s: about six; the gaps are half of WATCHDOG_USEC.
        #expect(pings.count >= 5 && pings.count <= 8, "\(pings.count) pings")
        let gaps = zip(pings, pings.dropFirst()).map { $1.timeIntervalSince($0) }
        #expect(gaps.allSatisfy { $0 > 0.35 && $0 < 0.75 }, "\(gaps)")
        #expect(daemon.stop() == 0)
    }

    @Test func watchdog_starvesWhenTheControlLoopHangs() throws {
        let daemon = try DaemonHarness(environment: ["WATCHDOG_USEC": "400000", "SMALLBMSD_TEST_HANG_LOOP_AFTER_S": "1.5"])
        try daemon.start()
        daemon.startFeeding()
        daemon.listen(for: 4.5)
        let pings = daemon.notifications.filter { $0.text == "WATCHDOG=1" }.map(\.at)
        #expect(pings.count >= 3, "the watchdog was fed before the hang")
        // The loop hangs 1.5 s after start; from then on nothing feeds the watchdog, so the last
        // ping is long past (systemd would kill and restart the daemon after WatchdogSec).
        let silence = Date().timeIntervalSince(try #require(pings.last))
        #expect(silence > 2.0, "last ping only \(silence) s ago")
        #expect(daemon.standardError.contains("test fault hook"))
        #expect(daemon.process.isRunning)
        daemon.signal(SIGKILL)
        daemon.process.waitUntilExit()
    }

    @Test func discharge_prealarmThenLoadOffThirtySecondsLater_thenRecovery() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.setCells([2750, 3300, 3300, 3300])
        let prealarmAfter = daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" }
        #expect(prealarmAfter != nil)
        #expect(daemon.status()?.state("load") == "on")
        let cutAfter = daemon.waitForStatus(timeout: 40) { $0.state("load") == "off" }
        let cut = try #require(cutAfter)
        #expect(cut > 28 && cut < 33, "LOAD went off \(cut) s after PRE-ALARM")
        #expect(daemon.status()?.outputs.load.reason?.contains("pre-alarm raised 30") == true)
        #expect(daemon.status()?.state("charger") == "on")
        daemon.setCells([3350, 3300, 3300, 3300])
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("load") == "on" && $0.state("prealarm") == "off" } != nil)
        #expect(daemon.stop() == 0)
    }

    @Test func busUnpluggedAndBack_cutsWithinTimeoutPlusOne_andRecovers() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        daemon.stopFeeding()
        daemon.closeBus()
        let cut = daemon.waitForStatus(timeout: 6) { $0.state("load") == "off" && $0.state("charger") == "off" }
        #expect(cut.map { $0 <= 2 + 1 } == true, "cut after \(String(describing: cut)) s")
        #expect(daemon.status()?.state("prealarm") == "on")
        try daemon.openBus()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" && $0.state("charger") == "on" && $0.bus?.isOpen == true } != nil,
                "\(daemon.standardError)")
        #expect(daemon.standardError.contains("bus device lost"))
        #expect(daemon.stop() == 0)
    }

    @Test func reloadWithABrokenFile_keepsTheRunningConfig() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        try "[thresholds]\nprealarm_v = \"high\"\n".write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.waitForNotification(timeout: 5) { $0.hasPrefix("RELOADING=1") })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(daemon.standardError.contains("reload refused"), "\(daemon.standardError)")
        #expect(daemon.standardError.contains("prealarm_v"))
        // Still protecting with the old thresholds: a low cell still raises PRE-ALARM.
        daemon.setCells([3000, 3300, 3300, 3300])
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil)
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }

    @Test func reloadWithAGoodFile_appliesNewThresholds() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        daemon.setCells([3120, 3300, 3300, 3300])  // above the default 3.10 V pre-alarm
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        #expect(daemon.status()?.state("prealarm") == "off")
        try daemon.writeConfig(thresholds: "prealarm_v = 3.15")
        daemon.signal(SIGHUP)
        #expect(daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil, "\(daemon.standardError)")
        #expect(daemon.status()?.state("load") == "on")
        #expect(daemon.stop() == 0)
    }

    @Test func randomBytesOnTheBus_changeNothingAndCrashNothing() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        var generator = SystemRandomNumberGenerator()
        var noise = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
        // No '$' in the noise, so no sentence can straddle a good one; '$'-led garbage is covered below.
        noise = noise.map { $0 == UInt8(ascii: "$") ? 0 : $0 }
        for chunk in stride(from: 0, to: noise.count, by: 4096) {
            daemon.sendRaw(Array(noise[chunk..<min(chunk + 4096, noise.count)]))
            daemon.sendCurrent()
        }
        daemon.sendRaw(Array("$M8B,1,3,03,4,1,2,3,4,0*FFFF\r\n$$$$garbage\n".utf8))
        // The status file is refreshed at least every 5 s: the counters show up by then.
        #expect(daemon.waitForStatus(timeout: 7) { ($0.bus?.bad ?? 0) > 0 } != nil)
        let report = try #require(daemon.status())
        #expect(report.state("load") == "on" && report.state("charger") == "on" && report.state("prealarm") == "off")
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }

    @Test func sigterm_endsWithEveryOutputOffInTheFinalStatus_andExitZero() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        #expect(daemon.stop() == 0)
        let report = try #require(daemon.status())
        for output in ["load", "charger", "prealarm", "led_load", "led_temp_ovp"] {
            #expect(report.state(output) == "off", "\(output)")
        }
        #expect(report.outputs.load.reason?.contains("stopped") == true)
        #expect(daemon.notifications.contains { $0.text == "STOPPING=1" } || {
            daemon.drainNotifications(); return daemon.notifications.contains { $0.text == "STOPPING=1" }
        }())
    }

    @Test func missingBusDevice_isReportedOnce_andNoReadyUntilItAppears() throws {
        let daemon = try DaemonHarness()
        daemon.closeBus()
        try daemon.start()
        Thread.sleep(forTimeInterval: 2)
        daemon.drainNotifications()
        #expect(!daemon.notifications.contains { $0.text == "READY=1" })
        #expect(daemon.standardError.components(separatedBy: "no such device").count == 2, "\(daemon.standardError)")
        try daemon.openBus()
        #expect(daemon.waitForNotification(timeout: 10) { $0 == "READY=1" })
        #expect(daemon.stop() == 0)
    }

    @Test func unwritableStatusDirectory_keepsProtecting_andSaysSo() throws {
        let daemon = try DaemonHarness()
        try daemon.writeConfig(thresholds: "", extra: "")
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            .replacingOccurrences(of: daemon.statusPath, with: "/proc/smallbmsd-no-such-dir/status.json")
        try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForNotification(timeout: 10) { $0.hasPrefix("STATUS=LOAD on") }, "\(daemon.standardError)")
        #expect(daemon.standardError.contains("protection goes on"))
        #expect(daemon.stop() == 0)
    }
}

@Suite("smallbmsd status against a running daemon")
struct StatusCommandTests {
    @Test func status_readableSummary_andJson() throws {
        let daemon = try DaemonHarness()
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil)
        let (exitStatus, text) = try daemon.statusCommand()
        #expect(exitStatus == 0)
        #expect(text.contains("LOAD          ON"))
        #expect(text.contains("battery 1: cells 3.30 V to 3.30 V"))
        #expect(daemon.stop() == 0)
    }
}
