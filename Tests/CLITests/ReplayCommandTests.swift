import Foundation
import M8Bus
import Testing

@Suite("smallbmsd replay, the real binary")
struct ReplayCommandTests {
    struct Line: Decodable {
        var t: Double
        var output: String
        var state: String
        var reason: String
    }

    /// One sentence a second; `cell(t)` gives cell 2's millivolts.
    func log(seconds: ClosedRange<Int>, cell: (Int) -> Int) -> String {
        seconds.map { t in
            let body = SentenceEncoder.encode(M8Sentence(
                battery: 1, sequence: t % 256, flags: 0x03,
                cellMillivolts: [3300, cell(t), 3300, 3300], temperatureDecicelsius: [215]))
            return "\(t) " + body.filter { $0 != "\r\n" && $0 != "\n" && $0 != "\r" }
        }.joined(separator: "\n") + "\n"
    }

    func replay(_ text: String) throws -> [Line] {
        let path = try BinaryRunner.temporaryFile("bus.log", text)
        let config = try BinaryRunner.temporaryFile("empty.toml", "")
        let result = try BinaryRunner.run(["replay", path, "--config", config, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try result.standardOutput.split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
    }

    @Test func json_fastFallAndRecovery() throws {
        // 3.30 V; T=20..30 down to 2.75 V; a minute there; T=91..100 back up to 3.35 V.
        let lines = try replay(log(seconds: 0...130) { t in
            switch t {
            case ..<20: 3300
            case 20...30: 3300 - 55 * (t - 20)
            case 31...90: 2750
            case 91...100: 2750 + 60 * (t - 90)
            default: 3350
            }
        })
        func at(_ output: String, _ state: String, after: Double = 0) -> Double? {
            lines.first { $0.output == output && $0.state == state && $0.t >= after }?.t
        }
        // Below 3.10 V from T=24 (3080 mV); below 3.20 V... back at or above 3.20 V from T=98 (3230 mV).
        #expect(at("prealarm", "on") == 25)
        #expect(at("load", "off") == 55)
        #expect(at("load", "on", after: 56) == 103)
        #expect(at("prealarm", "off") == 103)
        #expect(Set(lines.map(\.output)).isSubset(of: ["load", "charger", "prealarm", "led_load", "led_temp_ovp"]))
        #expect(lines.first { $0.output == "load" && $0.state == "off" }?.reason
            == "battery 1 cell 2 2.75 V < 2.80 V, pre-alarm raised 30 s ago")
    }

    @Test func json_slowDischarge_loadOffOneSecondAfterPassing280() throws {
        // 3.30 V to 2.70 V over 200 s from T=10: 3 mV a second, below 2.80 V from T=177.
        let lines = try replay(log(seconds: 0...240) { t in t < 10 ? 3300 : max(2700, 3300 - 3 * (t - 10)) })
        #expect(lines.first { $0.output == "load" && $0.state == "off" }?.t == 178)
        #expect(lines.first { $0.output == "prealarm" && $0.state == "on" }?.t == 78)
    }

    @Test func malformedLine_exitsTwoNamingTheLine() throws {
        let path = try BinaryRunner.temporaryFile("bad.log", "0\n1 remote on\n2 fly\n")
        let config = try BinaryRunner.temporaryFile("empty.toml", "")
        let result = try BinaryRunner.run(["replay", path, "--config", config])
        #expect(result.status == 2)
        #expect(result.standardError.contains("line 3"))
    }

    @Test func textOutput_oneLinePerChange() throws {
        let path = try BinaryRunner.temporaryFile("bus.log", log(seconds: 0...10) { _ in 3300 })
        let config = try BinaryRunner.temporaryFile("empty.toml", "")
        let result = try BinaryRunner.run(["replay", path, "--config", config])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("5.000  LOAD on: start-up: the battery reporting, healthy for 5 s"))
    }
}
