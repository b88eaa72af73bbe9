import Foundation
import Testing
import VEDirect
#if canImport(Glibc)
import Glibc
#endif

/// `[vedirect]`: the real `smallbmsd run` reading a SmartShunt's text blocks on a second pty (rule 10).
@Suite("smallbmsd run with a VE.Direct monitor on a pty")
struct VEDirectMonitorTests {
    private static func block(socPerMille: Int) -> [UInt8] {
        VEDirectBlock(fields: [
            .init(label: "PID", value: "0xA389"), .init(label: "V", value: "13150"), .init(label: "I", value: "-4200"),
            .init(label: "SOC", value: String(socPerMille)), .init(label: "TTG", value: "600"),
        ]).encoded()
    }

    @Test func lowStateOfCharge_raisesPrealarm_whileHighAndCorruptBlocksChangeNothing() throws {
        let daemon = try DaemonHarness()
        try daemon.openMonitor()
        try daemon.writeConfig(thresholds: "", extra: """
            [vedirect]
            device = "\(daemon.monitorLink)"
            soc_prealarm_pct = 15
            soc_load_off_pct = 10
            soc_load_on_pct = 20
            """)
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" } != nil, "\(daemon.standardError)")

        // 50 %, then a block whose SOC was damaged to 1.0 % on the way (its checksum no longer matches).
        for _ in 0..<3 {
            daemon.sendToMonitor(Self.block(socPerMille: 500))
            Thread.sleep(forTimeInterval: 0.2)
        }
        var corrupt = Self.block(socPerMille: 500)
        let soc = corrupt.indices.first { corrupt[$0...].starts(with: Array("SOC\t500".utf8)) }!
        corrupt[soc + 4] = UInt8(ascii: "0")
        corrupt[soc + 5] = UInt8(ascii: "1")
        corrupt[soc + 6] = UInt8(ascii: "0")
        for _ in 0..<5 {
            daemon.sendToMonitor(corrupt)
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(daemon.status()?.state("prealarm") == "off", "\(daemon.standardError)")
        #expect(daemon.standardError.contains("VE.Direct monitor reports a state of charge: 50 %"), "\(daemon.standardError)")

        // 14 %: below soc_prealarm_pct; PRE-ALARM after confirm_s (0.2 s), LOAD stays on (above soc_load_off_pct).
        let start = Date()
        var raised: Double?
        while raised == nil, Date().timeIntervalSince(start) < 5 {
            daemon.sendToMonitor(Self.block(socPerMille: 140))
            if daemon.status()?.state("prealarm") == "on" { raised = Date().timeIntervalSince(start) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(raised.map { $0 < 2 } == true, "PRE-ALARM after \(String(describing: raised)) s: \(daemon.standardError)")
        let report = daemon.status()
        #expect(report?.outputs.prealarm.reason == "SoC 14 % < 15 %")
        #expect(report?.state("load") == "on")
        #expect(report?.monitor?.stateOfChargePercent == 14)
        #expect(report?.monitor?.isOpen == true)
        #expect(report?.monitor.map { $0.bad >= 5 && $0.blocks >= 4 } == true, "\(String(describing: report?.monitor))")
        let (exitStatus, text) = try daemon.statusCommand()
        #expect(exitStatus == 0)
        #expect(text.contains("VE.Direct \(daemon.monitorLink) open: SoC 14 %"), "\(text)")
        #expect(daemon.stop() == 0)
    }

    @Test func aMissingMonitor_isReportedOnce_andTheCellRulesStillRun() throws {
        let daemon = try DaemonHarness()
        try daemon.writeConfig(thresholds: "", extra: """
            [vedirect]
            device = "\(daemon.monitorLink)"
            """)
        try daemon.start()
        daemon.startFeeding()
        #expect(daemon.waitForNotification(timeout: 10) { $0 == "READY=1" }, "\(daemon.standardError)")
        #expect(daemon.waitForStatus(timeout: 10) { $0.state("load") == "on" && $0.state("charger") == "on" } != nil)
        Thread.sleep(forTimeInterval: 2)  // several retries
        let reports = daemon.standardError.components(separatedBy: "VE.Direct monitor: ").count - 1
        #expect(reports == 1, "\(daemon.standardError)")
        #expect(daemon.standardError.contains("cannot open \(daemon.monitorLink): no such device (is the VE.Direct cable plugged in? check [vedirect] device"), "\(daemon.standardError)")
        // Plugged in later: found by the retry, and its blocks count.
        try daemon.openMonitor()
        let start = Date()
        var seen = false
        while !seen, Date().timeIntervalSince(start) < 10 {
            daemon.sendToMonitor(Self.block(socPerMille: 876))
            seen = daemon.standardError.contains("reports a state of charge: 87.6 %")
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(seen, "\(daemon.standardError)")
        #expect(daemon.stop() == 0)
    }
}
