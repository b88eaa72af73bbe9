import BMSCore
import Foundation
import Testing
@testable import Devices
@testable import EdgeIO
@testable import Status
@testable import Systemd

extension StatusReport {
    /// A report as a running daemon with one battery would write it.
    static func sample(pid: Int = 1234, fault: String? = nil) -> StatusReport {
        let on = StatusReport.OutputStatus(state: .on, reason: "every cell >= 3.20 V", since: "2026-11-25T02:59:00Z")
        let off = StatusReport.OutputStatus(state: .off, reason: nil, since: nil)
        return StatusReport(
            version: "0.1.0", pid: pid, updated: "2026-11-25T03:00:00Z", uptimeSeconds: 12.5, remote: .on,
            started: true, fault: fault,
            outputs: .init(load: on, charger: on, prealarm: off, ledLoad: on, ledTempOVP: off),
            batteries: [
                .init(battery: 1, cellsMillivolts: [3312, 3310, 3308, 3311], temperaturesDecicelsius: [215],
                      flags: "03", ageSeconds: 0.4, fault: nil),
            ],
            bus: .init(device: "/dev/ttyUSB0", isOpen: true, sentences: 1200, bad: 3, repeats: 0, foreign: 0))
    }
}

/// The JSON object of `value`, through Foundation's own parser rather than our decoder.
private func jsonObject(_ value: some Encodable) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    return try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any])
}

@Suite("StatusReport")
struct StatusReportTests {
    @Test("the keys are behaviour.md's, snake_case, plus fault, started, monitor, sources and bluetooth")
    func keysMatchSpec() throws {
        let object = try jsonObject(StatusReport.sample())
        #expect(Set(object.keys) == [
            "version", "pid", "updated", "uptime_s", "remote", "outputs", "batteries", "bus", "fault", "started", "monitor",
            "sources", "bluetooth",
        ])
        #expect(object["monitor"] is NSNull)
        #expect(object["sources"] is NSNull)
        #expect(object["bluetooth"] is NSNull)
        let outputs = try #require(object["outputs"] as? [String: Any])
        #expect(Set(outputs.keys) == ["load", "charger", "prealarm", "led_load", "led_temp_ovp"])
        let load = try #require(outputs["load"] as? [String: Any])
        #expect(Set(load.keys) == ["state", "reason", "since"])
        #expect(load["state"] as? String == "on")
        let battery = try #require((object["batteries"] as? [[String: Any]])?.first)
        #expect(Set(battery.keys) == ["battery", "cells_mv", "temps_dc", "flags", "age_s", "fault"])
        #expect(battery["flags"] as? String == "03")
        let bus = try #require(object["bus"] as? [String: Any])
        #expect(Set(bus.keys) == ["device", "open", "sentences", "bad", "repeats", "foreign"])
        #expect(object["remote"] as? String == "on")
    }

    @Test("a bank without an M8 adapter: bus is null, each polled battery's link is listed")
    func polledBatteries_busNull_linksWithTheirCounters() throws {
        var report = StatusReport.sample()
        report.bus = nil
        report.sources = [StatusReport.SourceLink(
            battery: 1, source: "jbd", device: "/dev/ttyUSB1", isOpen: true, health: "answering",
            polls: 20, replies: 19, readings: 9, bad: 1, timeouts: 1, wrongRegister: 0)]
        let object = try jsonObject(report)
        #expect(object["bus"] is NSNull)
        let link = try #require((object["sources"] as? [[String: Any]])?.first)
        #expect(Set(link.keys) == [
            "battery", "source", "device", "open", "health", "polls", "replies", "readings", "bad", "timeouts", "wrong_register",
        ])
        #expect(link["wrong_register"] as? Int == 0)
        let decoded = try JSONDecoder().decode(StatusReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
        // A file of a daemon from before this key still reads (smallbmsd status across an upgrade).
        var older = try jsonObject(StatusReport.sample())
        older.removeValue(forKey: "sources")
        let olderReport = try JSONDecoder().decode(StatusReport.self, from: try JSONSerialization.data(withJSONObject: older))
        #expect(olderReport.sources == nil)
        #expect(olderReport.bus?.sentences == 1200)
    }

    @Test("absent values are written as null, not left out")
    func nullsArePresent() throws {
        let object = try jsonObject(StatusReport.sample())
        #expect(object["fault"] is NSNull)
        let prealarm = try #require((object["outputs"] as? [String: Any])?["prealarm"] as? [String: Any])
        #expect(prealarm["reason"] is NSNull)
        #expect(prealarm["since"] is NSNull)
        let battery = try #require((object["batteries"] as? [[String: Any]])?.first)
        #expect(battery["fault"] is NSNull)
    }

    @Test("a VE.Direct monitor is written with its state of charge, null before the first")
    func monitorEntry() throws {
        var report = StatusReport.sample()
        report.monitor = StatusReport.Monitor(device: "/dev/ttyUSB1", isOpen: true, stateOfChargePercent: nil, blocks: 0, bad: 2)
        var monitor = try #require(try jsonObject(report)["monitor"] as? [String: Any])
        #expect(Set(monitor.keys) == ["device", "open", "soc_pct", "blocks", "bad"])
        #expect(monitor["soc_pct"] is NSNull)
        report.monitor?.stateOfChargePercent = 87.6
        monitor = try #require(try jsonObject(report)["monitor"] as? [String: Any])
        #expect(monitor["soc_pct"] as? Double == 87.6)
        let decoded = try JSONDecoder().decode(StatusReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
    }

    @Test("the spec's example, completed, decodes")
    func decodesSpecExample() throws {
        let text = """
            {"version": "0.1.0", "pid": 1234, "updated": "2026-11-25T03:00:00Z", "uptime_s": 12.5,
             "remote": "on", "started": true, "fault": null,
             "outputs": {"load": {"state": "on", "reason": "every cell >= 3.20 V", "since": "2026-11-25T02:59:00Z"},
                         "charger": {"state": "on", "reason": "every cell >= 3.20 V", "since": "2026-11-25T02:59:00Z"},
                         "prealarm": {"state": "off", "reason": null, "since": null},
                         "led_load": {"state": "on", "reason": "every cell >= 3.20 V", "since": "2026-11-25T02:59:00Z"},
                         "led_temp_ovp": {"state": "off", "reason": null, "since": null}},
             "batteries": [{"battery": 1, "cells_mv": [3312, 3310, 3308, 3311], "temps_dc": [215], "flags": "03",
                            "age_s": 0.4, "fault": null}],
             "bus": {"device": "/dev/ttyUSB0", "open": true, "sentences": 1200, "bad": 3, "repeats": 0, "foreign": 0}}
            """
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(text.utf8))
        #expect(report == StatusReport.sample())
    }

    @Test("timestamps are ISO-8601 UTC with whole seconds, and read back")
    func timestamps() {
        #expect(StatusReport.timestamp(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(StatusReport.timestamp(secondsSinceEpoch: 1_795_575_600.75) == "2026-11-25T03:00:00Z")
        #expect(StatusReport.secondsSinceEpoch(timestamp: "2026-11-25T03:00:00Z") == 1_795_575_600)
        #expect(StatusReport.secondsSinceEpoch(timestamp: "2026-11-25T03:00:00.250Z") == 1_795_575_600)
        for bad in ["", "2026-11-25 03:00:00Z", "2026-11-25T03:00:00", "2026-13-25T03:00:00Z", "2026-11-25T03:00:00.Z", "yesterday"] {
            #expect(StatusReport.secondsSinceEpoch(timestamp: bad) == nil, "\(bad)")
        }
    }

    @Test("a controller snapshot becomes a report with wall-clock times")
    func fromControllerSnapshot() {
        var controller = Controller(settings: Settings())
        let reading = BatteryReading(
            battery: 1, flags: .normal, cellMillivolts: [3312, 3310, 3308, 3311], temperatureDecicelsius: [215])
        // One sentence a second, as the adapter sends them; the outputs come on recover_s after the first.
        for second in 0..<10 {
            _ = controller.handle(.reading(reading), at: .seconds(Double(second) + 0.5))
        }
        let now = Instant.seconds(9.9)
        let wallClockNow = 1_795_575_600.0
        let report = StatusReport(
            snapshot: controller.snapshot(at: now), at: now, wallClockNow: wallClockNow, version: "0.1.0", pid: 42,
            uptime: .milliseconds(9900),
            bus: .init(device: "/dev/ttyUSB0", isOpen: true, sentences: 2, bad: 0, repeats: 0, foreign: 0))
        #expect(report.updated == "2026-11-25T03:00:00Z")
        #expect(report.uptimeSeconds == 9.9)
        #expect(report.remote == .on)
        #expect(report.started)
        #expect(report.fault == nil)
        #expect(report.outputs.load.state == .on)
        #expect(report.outputs[.charger].state == .on)
        #expect(report.outputs.prealarm.state == .off)
        if let since = report.outputs.load.since, let seconds = StatusReport.secondsSinceEpoch(timestamp: since) {
            // LOAD came on at the reading of T = 5.5 (recover_s after start-up), 4.4 s before now.
            #expect(seconds == (wallClockNow - 4.4).rounded(.down))
        } else {
            Issue.record("LOAD has no since")
        }
        #expect(report.outputs.load.reason != nil)
        #expect(report.batteries == [
            .init(battery: 1, cellsMillivolts: [3312, 3310, 3308, 3311], temperaturesDecicelsius: [215],
                  flags: "03", ageSeconds: 0.4, fault: nil),
        ])
    }

    @Test("a battery that never reported has empty lists, null flags and age, and a fault")
    func silentBattery() {
        var settings = Settings()
        settings.batteryCount = 2
        let controller = Controller(settings: settings)
        let now = Instant.seconds(4)
        let report = StatusReport(
            snapshot: controller.snapshot(at: now), at: now, wallClockNow: 0, version: "0.1.0", pid: 42,
            uptime: .seconds(4), bus: .init(device: "/dev/ttyUSB0", isOpen: false, sentences: 0, bad: 0, repeats: 0, foreign: 0))
        #expect(report.batteries.count == 2)
        #expect(report.batteries[1].cellsMillivolts.isEmpty)
        #expect(report.batteries[1].flags == nil)
        #expect(report.batteries[1].ageSeconds == nil)
        #expect(report.batteries[1].fault != nil)
        #expect(!report.started)
        #expect(report.outputs.load == .init(state: .off, reason: nil, since: nil))
    }
}
