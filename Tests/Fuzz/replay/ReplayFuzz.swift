// libFuzzer target for replay (Sources/Pipeline/ReplayLog.swift and ReplayRunner.swift), which
// runs the whole rule core (Sources/BMSCore) and the decoder (Sources/M8Bus) in virtual time.
// Those three modules are compiled with coverage; this harness is not.
//
// The input is a replay log (behaviour.md, "Replay"). It is run as is and with the CRCs of its
// sentences repaired (see withRepairedCRCs), each time under one of three valid Settings chosen
// from the input. Any log must give output changes or a ReplayLogError, never a crash, and:
// - `run(log:)` and the same log fed line by line through `run(line:)` give the same changes and
//   the same error; ReplayLogParser alone accepts and refuses exactly the same lines;
// - an accepted line's time is exactly the decimal its first word spells;
// - output change times never decrease and lie between the previous line's time and this line's;
// - every change flips its output (all start off), and LED load equals LOAD after every line;
// - fail toward OFF, checked after every line from the log's own content: while remote is off
//   every output is off; while a configured battery is stale (no fresh plausible sentence for
//   comms_timeout_s, counting from T = 0) or its latest sentence is implausible or has the wrong
//   cell count, LOAD, CHARGER and LED temp/OVP are off and PRE-ALARM is on (with remote on);
// - the text and JSON renderings of every change can be made.

import BMSCore
import Pipeline
import M8Bus

@_cdecl("LLVMFuzzerTestOneInput")
public func replayFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let hash = fnv1a(input)
    let settings = settingsVariants[Int(hash % UInt64(settingsVariants.count))]
    checkReplay(input, settings: settings)
    let repaired = withRepairedCRCs(input)
    if repaired != input { checkReplay(repaired, settings: settings) }
    return 0
}

/// Three valid configurations: the defaults, a two-battery 25.6 V bank with a state-of-charge
/// monitor and the fastest timers, and three batteries with every threshold at a range edge.
let settingsVariants: [Settings] = {
    let defaults = Settings()

    var fast = Settings()
    fast.batteryCount = 2
    fast.cellsPerBattery = 8
    fast.commsTimeout = .seconds(2)
    fast.criticalCellMillivolts = nil
    fast.confirmDelay = .milliseconds(100)
    fast.recoverDelay = .seconds(1)
    fast.stateOfCharge = StateOfChargeLimits(prealarmPercent: 15, loadOffPercent: 10, loadOnPercent: 20)

    var edges = Settings()
    edges.batteryCount = 3
    edges.cellsPerBattery = 4
    edges.commsTimeout = .seconds(60)
    edges.loadDisconnectMillivolts = 2700
    edges.criticalCellMillivolts = 2600
    edges.loadReconnectMillivolts = 3400
    edges.prealarmMillivolts = 3150
    edges.prealarmClearMillivolts = 3400
    edges.prealarmLead = .seconds(3600)
    edges.chargeDisconnectMillivolts = 3450
    edges.chargeReconnectMillivolts = 3300
    edges.chargeMinDecicelsius = 0
    edges.chargeMaxDecicelsius = 600
    edges.temperatureHysteresisDecicelsius = 100
    edges.confirmDelay = .seconds(60)
    edges.recoverDelay = .seconds(3600)
    return [defaults, fast, edges]
}()

/// The log's lines exactly as `run(log:)` cuts them: at every `\n`, no empty last line.
private func lines(of log: [UInt8]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    while start < log.count {
        let end = log[start...].firstIndex(of: UInt8(ascii: "\n")) ?? log.count
        result.append(log[start..<end])
        start = end + 1
    }
    return result
}

/// What one way of running the log produced.
private struct RunResult: Equatable {
    var changes: [OutputChange] = []
    var error: ReplayLogError?
}

private func checkReplay(_ log: [UInt8], settings: Settings) {
    // The whole log through the public entry point.
    var whole = ReplayRunner(settings: settings)
    var wholeResult = RunResult()
    do {
        try whole.run(log: log) { wholeResult.changes.append($0) }
    } catch {
        wholeResult.error = error
    }

    // The same log line by line, checking the state after each line.
    var runner = ReplayRunner(settings: settings)
    var parser = ReplayLogParser()
    var watch = SafetyWatch(settings: settings)
    var result = RunResult()
    var previousTime = Instant.origin
    let logLines = lines(of: log)
    for (index, line) in logLines.enumerated() {
        let firstNew = result.changes.count
        var runnerError: ReplayLogError?
        do {
            try runner.run(line: line) { result.changes.append($0) }
        } catch {
            runnerError = error
        }
        let event: ReplayEvent?
        do {
            event = try parser.parse(line: line)
        } catch {
            guard let runnerError, runnerError == error else {
                fuzzFail("the parser refuses line \(index + 1) (\(error)) but the runner said \(String(describing: runnerError)): \(escaped(line))")
            }
            guard error.lineNumber == index + 1, !error.message.isEmpty else {
                fuzzFail("error \(error) for line \(index + 1): \(escaped(line))")
            }
            guard result.changes.count == firstNew else {
                fuzzFail("a refused line \(index + 1) still changed outputs: \(escaped(line))")
            }
            result.error = error
            break
        }
        guard runnerError == nil else {
            fuzzFail("the runner refuses line \(index + 1) (\(runnerError!)) that the parser takes: \(escaped(line))")
        }
        guard let event else {
            guard result.changes.count == firstNew else {
                fuzzFail("blank or comment line \(index + 1) changed outputs: \(escaped(line))")
            }
            continue
        }
        checkTime(of: event, line: line)
        let newChanges = result.changes[firstNew...]
        for change in newChanges {
            guard change.at >= previousTime, change.at <= event.time else {
                fuzzFail("change \(change.journalText) at \(change.at) outside [\(previousTime), \(event.time)] on line \(index + 1)")
            }
            watch.apply(change)
            let text = ReplayFormat.text.line(for: change)
            let json = ReplayFormat.json.line(for: change)
            guard !text.isEmpty, json.hasPrefix("{\"t\": "), json.hasSuffix("}") else {
                fuzzFail("bad rendering of a change: \(text) / \(json)")
            }
        }
        previousTime = event.time
        watch.observe(event, runnerTime: runner.time)
        watch.check(after: index + 1, line: line)
    }

    guard wholeResult == result else {
        fuzzFail("""
            run(log:) and run(line:) disagree on \(escaped(log))
              run(log:):  \(wholeResult.changes.count) changes, error \(String(describing: wholeResult.error))
              run(line:): \(result.changes.count) changes, error \(String(describing: result.error))
            """)
    }
    guard whole.counters == runner.counters, whole.linesRead == runner.linesRead || result.error != nil else {
        fuzzFail("run(log:) and run(line:) end with different counters or line counts on \(escaped(log))")
    }
}

/// The time of an accepted line must be the decimal its first word spells, to the nearest nanosecond.
private func checkTime(of event: ReplayEvent, line: ArraySlice<UInt8>) {
    let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
    let content = line.drop(while: isSpace)
    let word = content.prefix(while: { !isSpace($0) })
    let parts = word.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    let isDigits: (ArraySlice<UInt8>) -> Bool = { !$0.isEmpty && $0.allSatisfy { (48...57).contains($0) } }
    guard (parts.count == 1 || parts.count == 2), parts.allSatisfy(isDigits) else {
        fuzzFail("line accepted with time \(escaped(word)), which is not a non-negative decimal")
    }
    // Exact: whole seconds and attoseconds from the digits themselves.
    var whole: Int64 = 0
    for digit in parts[0] { whole = whole * 10 + Int64(digit - 48) }
    var attoseconds: Int64 = 0
    if parts.count == 2 {
        let fraction = Array(parts[1])
        for position in 0..<18 {
            attoseconds = attoseconds * 10 + (position < fraction.count ? Int64(fraction[position] - 48) : 0)
        }
    }
    let expected = Duration(secondsComponent: whole, attosecondsComponent: attoseconds)
    // At the core's resolution: an Instant is whole nanoseconds (the nearest), held at Int64's ends.
    guard event.time == Instant(sinceOrigin: expected) else {
        fuzzFail("time \(escaped(word)) read as \(event.time.sinceOrigin), expected \(expected) to the nearest nanosecond")
    }
}

/// Follows the outputs from the changes, and what the log says about remote and batteries, to
/// check the fail-toward-OFF rules independently of how the controller is built.
private struct SafetyWatch {
    let settings: Settings
    var levels: [Output: OutputState] = [:]
    var remoteOn = true
    var now = Instant.origin
    /// Last fresh plausible sentence per configured battery (index 0 is battery 1).
    var lastFresh: [Instant?]
    /// Whether the latest delivered sentence of each battery was unusable (rule 8).
    var latestUnusable: [Bool]
    /// A decoder of our own, fed the same bytes, to know which sentences the runner received.
    var decoder = SentenceDecoder()

    init(settings: Settings) {
        self.settings = settings
        lastFresh = Array(repeating: nil, count: settings.batteryCount)
        latestUnusable = Array(repeating: false, count: settings.batteryCount)
    }

    func level(_ output: Output) -> OutputState { levels[output] ?? .off }

    mutating func apply(_ change: OutputChange) {
        guard change.state != level(change.output) else {
            fuzzFail("\(change.output) changed to \(change.state) while already \(change.state): \(change.journalText)")
        }
        levels[change.output] = change.state
    }

    mutating func observe(_ event: ReplayEvent, runnerTime: Instant) {
        guard runnerTime == event.time else { fuzzFail("runner time \(runnerTime) after a line at \(event.time)") }
        now = event.time
        switch event.kind {
        case .remote(let on):
            remoteOn = on
        case .bus(let bytes):
            observeBus(bytes + [UInt8(ascii: "\n")], at: event.time)
        case .sourceBytes(let source, let bytes):
            // Raw M8 bytes share the bus decoder; a VE.Direct state of charge never makes a fault.
            if source == .m8 { observeBus(bytes, at: event.time) }
        case .stateOfCharge, .tick:
            break
        }
    }

    private mutating func observeBus(_ bytes: [UInt8], at time: Instant) {
        let delivered = decoder.feed(bytes)
        for sentence in delivered where (1...settings.batteryCount).contains(sentence.battery) {
            let index = sentence.battery - 1
            let plausible = sentence.cellMillivolts.count == settings.cellsPerBattery
                && sentence.cellMillivolts.allSatisfy(Settings.plausibleCellMillivolts.contains)
                && sentence.temperatureDecicelsius.allSatisfy(Settings.plausibleDecicelsius.contains)
            latestUnusable[index] = !plausible
            if plausible { lastFresh[index] = time }
        }
    }

    func check(after lineNumber: Int, line: ArraySlice<UInt8>) {
        func fail(_ what: String) -> Never {
            fuzzFail("after line \(lineNumber) (\(escaped(line))) at \(now): \(what); levels \(levels)")
        }
        guard level(.ledLoad) == level(.load) else { fail("LED load does not follow LOAD") }
        if !remoteOn {
            for output in Output.allCases where level(output) == .on { fail("remote is off but \(output) is on") }
            return
        }
        var fault: String?
        for index in 0..<settings.batteryCount {
            if latestUnusable[index] { fault = "battery \(index + 1) sent an unusable sentence" }
            let since = lastFresh[index] ?? .origin
            if now - since >= settings.commsTimeout { fault = "battery \(index + 1) is stale" }
        }
        if let fault {
            if level(.load) == .on { fail("\(fault) but LOAD is on") }
            if level(.charger) == .on { fail("\(fault) but CHARGER is on") }
            if level(.ledTempOVP) == .on { fail("\(fault) but LED temp/OVP is on") }
            if level(.prealarm) == .off { fail("\(fault) but PRE-ALARM is off") }
        }
        if lastFresh.contains(where: { $0 == nil }), level(.load) == .on || level(.charger) == .on {
            fail("an output is on before every battery has reported")
        }
    }
}
