import BMSCore
import Pipeline
import Testing
import VEDirect

/// A VE.Direct block as a replay line: `T @vedirect HEX`, the bytes the cable carried.
private func vedirectLine(at t: Double, soc: String, spoilChecksum: Bool = false) -> String {
    var bytes = VEDirectBlock(fields: [.init(label: "V", value: "13200"), .init(label: "SOC", value: soc)]).encoded()
    if spoilChecksum, let last = bytes.indices.last { bytes[last] &+= 1 }
    let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    return "\(t) @vedirect \(hex)"
}

@Suite("replay: a source's raw bytes through its own decoder")
struct RecordedSourceReplayTests {
    private var settings: Settings {
        var settings = Settings()
        settings.stateOfCharge = StateOfChargeLimits()
        return settings
    }

    @Test func vedirectBytes_lowStateOfCharge_raisesPrealarmAsASocLineWould() throws {
        var raw = LogBuilder()
        var decoded = LogBuilder()
        for t in 0...20 {
            raw.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300])
            decoded.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300])
        }
        // VE.Direct reports SoC in tenths of a percent: 140 is 14.0 %.
        raw.raw(vedirectLine(at: 20.5, soc: "140"))
        decoded.raw("20.5 soc 14.0")
        for t in 21...40 {
            raw.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300])
            decoded.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300])
        }
        let fromBytes = try replay(raw, settings: settings)
        #expect(close(fromBytes.at(.prealarm, .on), 21.5))
        #expect(fromBytes.first { $0.output == .prealarm && $0.state == .on }?.reason.text == "SoC 14 % < 15 %")
        let fromSocLines = try replay(decoded, settings: settings)
        #expect(fromBytes == fromSocLines)
    }

    @Test func vedirectBytes_withABadChecksum_areCountedNotTaken() throws {
        var log = LogBuilder()
        for t in 0...20 { log.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300]) }
        log.raw(vedirectLine(at: 20.5, soc: "140", spoilChecksum: true))
        for t in 21...40 { log.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300]) }
        let changes = try replay(log, settings: settings)
        #expect(changes.at(.prealarm, .on) == nil)
    }

    @Test func rawLines_areChecked() {
        var runner = ReplayRunner(settings: Settings())
        for (text, word) in [("1 @jbd 00", "unknown source"), ("1 @vedirect 0g", "in hex"), ("1 @vedirect 0", "pairs"),
                             ("1 @vedirect", "pairs")] {
            do {
                try runner.run(log: Array(text.utf8)) { _ in }
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.lineNumber == 1 && error.message.contains(word), "\(text): \(error)")
            }
            runner = ReplayRunner(settings: Settings())
        }
    }
}
