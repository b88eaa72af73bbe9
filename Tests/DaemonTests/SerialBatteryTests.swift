import Foundation
import JBD
import JK
import SerialBMS
import Status
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary with a bank of batteries that each have their own BMS (`[[battery]]`, no
/// `[bus]`): two JBD packs and a JK on ptys, answered by the protocol modules' responders.
@Suite("Batteries with their own BMS on a UART")
struct SerialBatteryTests {
    /// Batteries 1 and 2 are JBD packs of four cells, battery 3 a JK of eight.
    final class MixedBank {
        let daemon: DaemonHarness
        let peers: [SimulatedBMSPeer]

        init(thresholds: String = "") throws {
            daemon = try DaemonHarness()
            let folder = daemon.folder.path
            let four = SimulatedPack(cellMillivolts: [3300, 3300, 3300, 3300], temperatureDecicelsius: [250])
            let eight = SimulatedPack(cellMillivolts: Array(repeating: 3300, count: 8), temperatureDecicelsius: [250, 260])
            peers = [
                try SimulatedBMSPeer(JBDResponder(pack: four), linkedAt: folder + "/bms1"),
                try SimulatedBMSPeer(JBDResponder(pack: four), linkedAt: folder + "/bms2"),
                try SimulatedBMSPeer(JKResponder(pack: eight), linkedAt: folder + "/bms3"),
            ]
            let text = """
                [[battery]]
                source = "jbd"
                device = "\(folder)/bms1"
                poll_interval_s = 0.5
                comms_timeout_s = 2

                [[battery]]
                source = "jbd"
                device = "\(folder)/bms2"
                poll_interval_s = 0.5
                comms_timeout_s = 2

                [[battery]]
                source = "jk"
                device = "\(folder)/bms3"
                cells = 8
                poll_interval_s = 0.5
                comms_timeout_s = 2

                [thresholds]
                confirm_s = 0.2
                recover_s = 1
                \(thresholds)
                [gpio]
                chip = "simulated"
                [remote]
                mode = "always-on"
                [recorder]
                directory = "\(daemon.incidentsPath)"
                [history]
                path = "\(daemon.historyPath)"
                [status]
                path = "\(daemon.statusPath)"
                """
            try text.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            try daemon.start()
        }

        /// Waits until every output is on, the bank answering.
        func waitUntilRunning() -> Bool {
            daemon.waitForStatus(timeout: 15) { $0.state("load") == "on" && $0.state("charger") == "on" } != nil
        }

        func stop() {
            _ = daemon.stop()
            for peer in peers { peer.stop() }
        }
    }

    @Test func mixedBank_allAnswering_outputsOn_linksCountedAndNoBusEntry() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        let report = try #require(bank.daemon.waitForStatus(timeout: 5) { ($0.sources?.allSatisfy { $0.readings > 2 }) ?? false }
            .flatMap { _ in bank.daemon.status() })
        #expect(report.bus == nil)
        #expect(report.sources?.map(\.source) == ["jbd", "jbd", "jk"])
        #expect(report.sources?.allSatisfy { $0.isOpen && $0.health == "answering" && $0.bad == 0 } == true)
        #expect(report.batteries.map(\.cellsMillivolts.count) == [4, 4, 8])
        let summary = try bank.daemon.statusCommand()
        #expect(summary.exitStatus == 0)
        #expect(summary.text.contains("no M8 bus adapter"))
        #expect(summary.text.contains("battery 3 jk \(bank.peers[2].link) open, answering:"))
        #expect(bank.daemon.standardError.contains("battery 3 (jk) on \(bank.peers[2].link) answers: every register valid"))
    }

    @Test func mixedBank_discharge_prealarmFirst_loadOffAfterTheLead() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        // The JK's seventh cell sags below load_disconnect_v: PRE-ALARM at once, LOAD after 30 s.
        bank.peers[2].update { $0.cellMillivolts[6] = 2750 }
        let prealarmAt = try #require(bank.daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" }
            .map { _ in Date() })
        #expect(bank.daemon.status()?.state("load") == "on")
        #expect(bank.daemon.waitForStatus(timeout: 40) { $0.state("load") == "off" } != nil, "\(bank.daemon.standardError)")
        let lead = Date().timeIntervalSince(prealarmAt)
        #expect(lead > 28 && lead < 33, "LOAD off \(lead) s after PRE-ALARM")
        let reason = bank.daemon.status()?.outputs.load.reason ?? ""
        #expect(reason.hasPrefix("battery 3 cell 7 2.75 V < 2.80 V, pre-alarm raised"), "\(reason)")
        #expect(bank.daemon.status()?.state("charger") == "on")
    }

    @Test func mixedBank_overVoltage_chargerOffWithTheCell() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.peers[0].update { $0.cellMillivolts[1] = 3800 }
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.state("charger") == "off" } != nil)
        #expect(bank.daemon.status()?.outputs.charger.reason == "battery 1 cell 2 3.80 V > 3.75 V")
        #expect(bank.daemon.status()?.state("load") == "on")
        #expect(bank.daemon.status()?.state("led_temp_ovp") == "on")
    }

    @Test func mixedBank_oneBMSUnplugged_faultAtCommsTimeout_thenBack() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        let unpluggedAt = Date()
        bank.peers[1].unplug()
        #expect(bank.daemon.waitForStatus(timeout: 6) { $0.state("load") == "off" && $0.state("charger") == "off" } != nil)
        let elapsed = Date().timeIntervalSince(unpluggedAt)
        // The last fresh reading is up to one poll (0.5 s) old when the plug is pulled.
        #expect(elapsed > 1.3 && elapsed < 3.5, "fault \(elapsed) s after the unplug")
        #expect(bank.daemon.status()?.fault?.hasPrefix("battery 2 sent no fresh valid data for 2") == true)
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.sources?[1].isOpen == false } != nil)
        #expect(bank.daemon.standardError.contains("battery 2 (jbd) lost"), "\(bank.daemon.standardError)")

        try bank.peers[1].plugIn()
        #expect(bank.daemon.waitForStatus(timeout: 15) { $0.state("load") == "on" && $0.fault == nil } != nil)
        #expect(bank.daemon.standardError.contains("battery 2 (jbd): \(bank.peers[1].link) is back; polling again"))
    }

    @Test func mixedBank_aBMSSwitchesItsDischargeFETOff_prealarmThenLoadOffForThatBattery() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.peers[1].update { $0.dischargeEnabled = false }
        // A cleared ATD flag is rule 3: PRE-ALARM at once, LOAD after the pre-alarm lead.
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.state("prealarm") == "on" } != nil)
        #expect(bank.daemon.status()?.outputs.prealarm.reason == "battery 2 asks for loads off (ATD flag clear)")
        #expect(bank.daemon.waitForStatus(timeout: 40) { $0.state("load") == "off" } != nil)
        let reason = bank.daemon.status()?.outputs.load.reason ?? ""
        #expect(reason.hasPrefix("battery 2 asks for loads off (ATD flag clear), pre-alarm raised"), "\(reason)")
        #expect(bank.daemon.status()?.state("charger") == "on")
    }

    @Test func mixedBank_aBMSSwitchesItsChargeFETOff_chargerOffForThatBattery() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        #expect(bank.waitUntilRunning(), "\(bank.daemon.standardError)")
        bank.peers[2].update { $0.chargeEnabled = false }
        #expect(bank.daemon.waitForStatus(timeout: 5) { $0.state("charger") == "off" } != nil)
        #expect(bank.daemon.status()?.outputs.charger.reason == "battery 3 asks for chargers off (ATC flag clear)")
        #expect(bank.daemon.status()?.state("load") == "on")
    }

    @Test func mixedBank_aBMSThatNeverAnswers_journalSaysWhatToCheck_once() throws {
        let bank = try MixedBank()
        defer { bank.stop() }
        bank.peers[0].setAnswering(false)
        #expect(bank.daemon.waitForStatus(timeout: 8) { $0.fault?.hasPrefix("no data from battery 1 since start") == true } != nil)
        Thread.sleep(forTimeInterval: 1.5)
        let journal = bank.daemon.standardError
        let says = journal.components(separatedBy: "battery 1 (jbd) on \(bank.peers[0].link): no reply at all to").count - 1
        #expect(says == 1, "\(journal)")
        #expect(journal.contains("swapped RX/TX is the most common fault"))
        #expect(journal.contains("A and B"))
        #expect(bank.peers[0].bytesReceived > 0, "the daemon polled")
        #expect(bank.daemon.status()?.sources?.first?.health == "never answered")
        #expect((bank.daemon.status()?.sources?.first?.timeouts ?? 0) > 2)
    }
}
