import Pipeline
import Foundation
import Testing

@Suite("smallbmsd demo, simulate and safe-state, the real binary")
struct DemoAndSimulateCommandTests {
    @Test func demo_notOnATerminal_endsByItself_printingEveryKindOfTransition() throws {
        let result = try BinaryRunner.run(["demo", "--speed", "10"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput
        let lines = text.split(separator: "\n")
        // The exact values depend on when a busy machine schedules the bank's thread: match the shape.
        func shows(_ parts: String...) -> Bool { lines.contains { line in parts.allSatisfy { line.contains($0) } } }
        #expect(shows("PRE-ALARM on: battery 1 cell 2", "< 3.10 V"), "\(text)")
        #expect(shows("LOAD off: battery 1 cell 2", "< 2.80 V, pre-alarm raised 3"), "\(text)")
        #expect(shows("CHARGER off: battery 1 cell", "> 3.75 V"), "\(text)")
        #expect(shows("CHARGER off: battery 1 temperature 1", "< 5.0 C"), "\(text)")
        #expect(shows("LOAD off: battery 2 sent no fresh valid data"), "\(text)")
        #expect(shows("LOAD on: every battery fresh and plausible"), "\(text)")
        #expect(text.contains("demo finished"))
        #expect(!text.contains("\u{1B}["), "no terminal control codes when not on a terminal")
    }

    @Test func simulate_recorded_thenReplayed_givesTheScenariosTransitions() throws {
        let record = try BinaryRunner.temporaryFile("charge.log", "")
        let simulated = try BinaryRunner.run(["simulate", "--scenario", "charge", "--speed", "100", "--record", record])
        #expect(simulated.status == 0, "\(simulated.standardError)")
        #expect(simulated.standardOutput.contains("simulating on /dev/pts/"))
        let config = try BinaryRunner.temporaryFile("empty.toml", "")
        let replayed = try BinaryRunner.run(["replay", record, "--config", config, "--json"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let sequence = replayed.standardOutput.split(separator: "\n").compactMap { line -> String? in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let output = object["output"] as? String, let state = object["state"] as? String else { return nil }
            return "\(output) \(state)"
        }
        let intended = BankSimulator.Scenario.charge.intendedTransitions.map { "\($0.0.rawValue) \($0.1.rawValue)" }
        #expect(sequence.filter { $0.hasPrefix("charger") } == intended.filter { $0.hasPrefix("charger") })
        #expect(sequence.filter { $0.hasPrefix("led_temp_ovp") } == intended.filter { $0.hasPrefix("led_temp_ovp") })
    }

    @Test func simulate_refusesAnUnknownScenario() throws {
        let result = try BinaryRunner.run(["simulate", "--scenario", "fire"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("unknown scenario \"fire\""))
    }

    @Test func safeState_onSimulatedLines_exitsZero() throws {
        let config = try BinaryRunner.temporaryFile("sim.toml", "[gpio]\nchip = \"simulated\"\n")
        let result = try BinaryRunner.run(["safe-state", "--config", config])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("driven OFF and released"))
    }

    @Test func safeState_withABadConfig_saysItCannotNameTheLines() throws {
        let config = try BinaryRunner.temporaryFile("bad.toml", "[gpio]\nchip = 7\n")
        let result = try BinaryRunner.run(["safe-state", "--config", config])
        #expect(result.status == 1)
        #expect(result.standardError.contains("cannot name the lines"))
    }

    @Test func status_whenNotRunning_exitsThreeAndSaysSo() throws {
        let config = try BinaryRunner.temporaryFile("c.toml", "[status]\npath = \"/tmp/smallbmsd-nonexistent-\(UUID().uuidString)/status.json\"\n")
        let result = try BinaryRunner.run(["status", "--config", config])
        #expect(result.status == 3)
        #expect(result.standardError.contains("not running"))
    }
}
