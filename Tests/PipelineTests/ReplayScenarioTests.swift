import BMSCore
import Pipeline
import M8Bus
import Testing

/// Builds replay logs from scripted cell voltages, one sentence a second, through the real encoder.
struct LogBuilder {
    private(set) var lines: [String] = []
    private var sequence: [Int: Int] = [:]

    mutating func sentence(at t: Double, battery: Int = 1, cells: [Int], temperatures: [Int] = [215], flags: UInt8 = 0x03) {
        let seq = sequence[battery, default: 0]
        sequence[battery] = (seq + 1) % 256
        let body = SentenceEncoder.encode(M8Sentence(
            battery: battery, sequence: seq, flags: flags, cellMillivolts: cells, temperatureDecicelsius: temperatures))
        lines.append("\(t) \(body.trimmingSuffix())")
    }

    mutating func raw(_ line: String) { lines.append(line) }

    var bytes: [UInt8] { Array(lines.joined(separator: "\n").utf8) }
}

extension String {
    func trimmingSuffix() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return text
    }
}

func replay(_ log: LogBuilder, settings: Settings = Settings()) throws -> [OutputChange] {
    var runner = ReplayRunner(settings: settings)
    var changes: [OutputChange] = []
    try runner.run(log: log.bytes) { changes.append($0) }
    return changes
}

extension [OutputChange] {
    func at(_ output: Output, _ state: OutputState, after seconds: Double = 0) -> Double? {
        first { $0.output == output && $0.state == state && $0.at >= .seconds(seconds) }?.at.seconds
    }
}

func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 0.0005 } ?? false }

@Suite("replay: the acceptance scenarios")
struct ReplayScenarioTests {
    @Test func fastFall_prealarmOneSecondAfterPassing310_loadOffThirtySecondsLater_recoveryAfterFiveSeconds() throws {
        var log = LogBuilder()
        // 3.30 V steady, then within ten seconds down to 2.75 V, a minute there, then back to 3.35 V.
        for t in 0...20 { log.sentence(at: Double(t), cells: [3300, 3310, 3305, 3300]) }
        var cellAt: [Int: Int] = [:]
        for step in 1...10 { cellAt[20 + step] = 3300 - 55 * step }  // T=21: 3245 ... T=30: 2750
        for t in 21...30 { log.sentence(at: Double(t), cells: [cellAt[t]!, 3310, 3305, 3300]) }
        for t in 31...90 { log.sentence(at: Double(t), cells: [2750, 3310, 3305, 3300]) }
        for t in 91...100 { log.sentence(at: Double(t), cells: [2750 + 60 * (t - 90), 3310, 3305, 3300]) }
        for t in 101...130 { log.sentence(at: Double(t), cells: [3350, 3310, 3305, 3300]) }
        let changes = try replay(log)

        let passedBelow310 = Double(cellAt.filter { $0.value < 3100 }.keys.min()!)  // T=24: 3080 mV
        let prealarmOn = try #require(changes.at(.prealarm, .on))
        #expect(close(prealarmOn, passedBelow310 + 1))
        #expect(close(changes.at(.load, .off), prealarmOn + 30))
        // Every cell >= 3.20 V again from T=98 (2750 + 480 = 3230 mV).
        #expect(close(changes.at(.load, .on, after: 40), 98 + 5))
        #expect(close(changes.at(.prealarm, .off), 98 + 5))
        #expect(changes.filter { $0.output == .load }.count == 3)  // on at start, off, on
        #expect(changes.first?.at == .seconds(5))  // outputs come on 5 s after start-up
    }

    @Test func slowDischarge_loadOffOneSecondAfterPassing280() throws {
        var log = LogBuilder()
        var below280: Double?
        for t in 0...260 {
            let millivolts = t <= 20 ? 3300 : max(2700, 3300 - 3 * (t - 20))
            if millivolts < 2800, below280 == nil { below280 = Double(t) }
            log.sentence(at: Double(t), cells: [3300, millivolts, 3300, 3300])
        }
        let changes = try replay(log)
        #expect(close(changes.at(.load, .off), below280! + 1))
        #expect(changes.first { $0.output == .load && $0.state == .off }?.reason.text.hasPrefix("battery 1 cell 2 2.79") == true)
    }

    @Test func timersFireBetweenLines_evenWithNoFurtherInput() throws {
        var log = LogBuilder()
        for t in 0...10 { log.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300]) }
        log.raw("100")  // a silent minute and a half: the comms timeout must fire at T=13 exactly
        let changes = try replay(log)
        #expect(close(changes.at(.load, .off), 13))
        #expect(close(changes.at(.prealarm, .on), 13))
    }

    @Test func remoteLines_dropAndRestoreOutputs() throws {
        var log = LogBuilder()
        for t in 0...20 { log.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300]) }
        log.raw("20.5 remote off")
        log.raw("21.25 remote on")
        let changes = try replay(log)
        #expect(close(changes.at(.load, .off), 20.5))
        #expect(close(changes.at(.load, .on, after: 6), 21.25))
    }

    @Test func badSentences_areCountedAndSkipped_notFatal() throws {
        var log = LogBuilder()
        for t in 0...10 { log.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300]) }
        log.raw("10.5 $M8B,1,99,03,4,2000,3300,3300,3300,1,215*0000")
        log.raw("10.6 $garbage")
        var runner = ReplayRunner(settings: Settings())
        try runner.run(log: log.bytes) { _ in }
        #expect(runner.counters.bad == 2)
        #expect(runner.counters.sentences == 11)
    }

    @Test func aDayLongLog_replaysQuickly() throws {
        // 86,400 sentences: a day at one a second. Only correctness is asserted here; speed is
        // measured by the benchmark harness.
        var log = LogBuilder()
        for t in 0..<86_400 { log.sentence(at: Double(t), cells: [3300, 3300, 3300, 3300]) }
        var runner = ReplayRunner(settings: Settings())
        var count = 0
        try runner.run(log: log.bytes) { _ in count += 1 }
        #expect(runner.counters.sentences == 86_400)
        #expect(count == 3)
    }
}

@Suite("replay: malformed logs")
struct ReplayLogParserTests {
    func parseError(_ text: String) -> ReplayLogError? {
        var runner = ReplayRunner(settings: Settings())
        do {
            try runner.run(log: Array(text.utf8)) { _ in }
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownWord_namesTheLine() {
        let error = parseError("# header\n\n0 remote on\n1 launch missiles\n")
        #expect(error?.lineNumber == 4)
        #expect(error?.message.contains("unknown word \"launch\"") == true)
    }

    @Test func badTime_namesTheLine() {
        #expect(parseError("0\nabc remote on\n")?.lineNumber == 2)
        #expect(parseError("-1 remote on\n")?.lineNumber == 1)
        #expect(parseError("1.2.3\n")?.lineNumber == 1)
        #expect(parseError("1.\n")?.lineNumber == 1)
        #expect(parseError("99999999999999999999\n")?.lineNumber == 1)
    }

    @Test func timeGoingBackwards_isRefused() {
        let error = parseError("5\n4.999\n")
        #expect(error?.lineNumber == 2)
        #expect(error?.message.contains("backwards") == true)
    }

    @Test func remoteAndSocArguments_areChecked() {
        #expect(parseError("1 remote maybe\n")?.lineNumber == 1)
        #expect(parseError("1 soc\n")?.lineNumber == 1)
        #expect(parseError("1 soc 101\n")?.lineNumber == 1)
        #expect(parseError("1 soc nan\n")?.lineNumber == 1)
    }

    @Test func validLines_parse() {
        #expect(parseError("# c\n0\n0.5 remote off\r\n1 remote on\n2 soc 14.5\n3 $M8B\n  \n") == nil)
    }
}
