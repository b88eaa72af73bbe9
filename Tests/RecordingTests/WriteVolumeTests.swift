import BMSCore
import Config
import Foundation
import Pipeline
import Recording
import Testing

/// The SD card's share: what the history writes in an hour of a steady 4-battery bank, and what
/// one incident of the default window takes. The figures are printed for the note
/// (`swift test --filter WriteVolumeTests`), and held to a budget.
@Suite("Write volume: bytes on the card")
struct WriteVolumeTests {
    @Test func steadyFourBatteryBank_historyWritesUnder250KBAnHour() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-volume-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let process = Process()
        process.executableURL = SmallBMSDBinary.url
        // A day, so that the WAL's checkpoints into the main file are in the figure too.
        process.arguments = ["history-soak", path, "--steady-hours", "24", "--batteries", "4", "--flush-s", "300"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(output)
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("write(2) bytes:") })
        let perHour = try #require(line.split(separator: ",").dropFirst().first?.split(separator: " ").first.flatMap { Int($0) })
        #expect(perHour > 10_000 && perHour < 250_000, "\(perHour) bytes an hour")
    }

    @Test func defaultWindowFourBatteries_oneIncidentIsOneFileOfAbout200KB() throws {
        // The default 600 s before and 60 s after; the adapter sends a sentence a second per battery.
        var recorder = FlightRecorder(window: .seconds(600), after: .seconds(60))
        var incident: Incident?
        var configuration = Configuration()
        configuration.settings.batteryCount = 4
        for tenth in 0..<(2000 * 10) where tenth % 10 < 4 {
            let second = tenth / 10
            let battery = tenth % 10 + 1
            let at = Instant.milliseconds(Int64(tenth) * 100)
            recorder.take(.reading(BatteryReading(
                battery: battery, flags: .normal, cellMillivolts: [3312, 3308, 3315 - second % 9, 3311],
                temperatureDecicelsius: [231])), at: at)
            if tenth == 12_000 {
                recorder.outputsChanged([OutputChange(output: .load, state: .off, at: at, reason: Reason(rule: .underVoltage, text: "battery 1 cell 3 2.79 V < 2.80 V", battery: 1))], wallClockSeconds: 1_796_000_000)
            }
            if let done = recorder.finished(at: at) { incident = done }
        }
        let captured = try #require(incident)
        let bytes = IncidentFile.render(captured, settingsText: configuration.effectiveSettingsText())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-volume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = IncidentStore(directory: directory, maxBytes: 50_000_000)
        try store.write(name: captured.fileName, bytes: bytes)
        let written = try #require(store.list().first?.bytes)
        print("incident: \(captured.entries.count) readings over 660 s of 4 batteries: \(written) bytes in one write and one fsync; \(50_000_000 / written) fit in max_mb = 50")
        #expect(written == bytes.count)
        #expect(captured.entries.count >= 4 * 660 && captured.entries.count <= 4 * 661)
        #expect(written > 100_000 && written < 300_000, "\(written) bytes")
    }
}
