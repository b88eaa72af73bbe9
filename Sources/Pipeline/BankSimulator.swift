import BMSCore
import M8Bus

/// A simulated Lithium Battery Smart bank behind its bus adapter: what `smallbmsd simulate`
/// writes to a port and what `demo` feeds the daemon. Pure: the caller asks for the bytes of
/// each tick at a virtual time, so tests can replay a whole scenario in microseconds.
public struct BankSimulator: Sendable {
    /// What the bank goes through.
    public enum Scenario: String, CaseIterable, Sendable {
        /// Healthy cells at 3.30 V and 25 C throughout.
        case steady
        /// One cell down to the cut-off (PRE-ALARM, then LOAD off after the lead) and back.
        case discharge
        /// Cells up to over-voltage (CHARGER off, red LED) and back.
        case charge
        /// A battery down to 2 C (CHARGER off) and back.
        case cold
        /// A battery up to 55 C (CHARGER off) and back.
        case hot
        /// The last battery stops talking for ten seconds (everything OFF, PRE-ALARM on) and returns.
        case silent
        /// The adapter repeats its last sentence for ten seconds: it must look like silence.
        case stuck
        /// Corrupted bytes and broken sentences between the good ones: nothing may change.
        case noise
        /// One weak cell sags below the pre-alarm level and stays there; LOAD stays on.
        case imbalance
        /// The demo's tour: every output at work, then recovery (about 105 s).
        case demo

        /// One line for `--help` and the demo's title.
        public var summary: String {
            switch self {
            case .steady: "healthy cells at 3.30 V and 25 C"
            case .discharge: "one cell falls to 2.75 V (PRE-ALARM, LOAD off after the lead) and recovers"
            case .charge: "cells rise to 3.80 V (CHARGER off, red LED) and fall back"
            case .cold: "a battery cools to 2 C (CHARGER off) and warms up"
            case .hot: "a battery heats to 55 C (CHARGER off) and cools down"
            case .silent: "the last battery falls silent for 10 s (all OFF, PRE-ALARM on) and returns"
            case .stuck: "the adapter repeats its last sentence for 10 s (looks like silence)"
            case .noise: "corrupted bytes and broken sentences between good ones (nothing changes)"
            case .imbalance: "one weak cell sags to 3.05 V and stays (PRE-ALARM on, LOAD stays on)"
            case .demo: "the tour: discharge, over-voltage, cold, a silent battery, recovery"
            }
        }

        /// The scenario's length in seconds of bank time.
        public var duration: Double {
            switch self {
            case .steady, .noise: 60
            case .discharge: 130
            case .charge: 80
            case .cold, .hot: 65
            case .silent, .stuck: 50
            case .imbalance: 60
            case .demo: 105
            }
        }

        /// The output changes the scenario is meant to cause with the default thresholds, in
        /// order (the start-up's LOAD and CHARGER coming on included).
        public var intendedTransitions: [(Output, OutputState)] {
            let startUp: [(Output, OutputState)] = [(.load, .on), (.ledLoad, .on), (.charger, .on)]
            let fault: [(Output, OutputState)] = [(.prealarm, .on), (.load, .off), (.ledLoad, .off), (.charger, .off)]
            let recovery: [(Output, OutputState)] = [(.prealarm, .off), (.load, .on), (.ledLoad, .on), (.charger, .on)]
            switch self {
            case .steady, .noise: return startUp
            case .discharge:
                return startUp + [(.prealarm, .on), (.load, .off), (.ledLoad, .off), (.prealarm, .off), (.load, .on), (.ledLoad, .on)]
            case .charge, .cold, .hot:
                return startUp + [(.charger, .off), (.ledTempOVP, .on), (.charger, .on), (.ledTempOVP, .off)]
            case .silent, .stuck: return startUp + fault + recovery
            case .imbalance: return startUp + [(.prealarm, .on)]
            case .demo:
                return startUp
                    + [(.prealarm, .on), (.load, .off), (.ledLoad, .off), (.prealarm, .off), (.load, .on), (.ledLoad, .on)]
                    + [(.charger, .off), (.ledTempOVP, .on), (.charger, .on), (.ledTempOVP, .off)]
                    + [(.charger, .off), (.ledTempOVP, .on), (.charger, .on), (.ledTempOVP, .off)]
                    + fault + recovery
            }
        }
    }

    /// The scenario being played.
    public let scenario: Scenario
    /// Batteries on the simulated bus.
    public let batteries: Int
    /// Cells per battery (4 or 8).
    public let cellsPerBattery: Int
    private var sequence: [Int]
    private var lastSentence: [UInt8] = []
    private var sentencesSent = 0
    private var random: UInt64

    /// A bank of `batteries` batteries of `cellsPerBattery` cells playing `scenario`.
    public init(scenario: Scenario, batteries: Int = 1, cellsPerBattery: Int = 4, seed: UInt64 = 0x5EED) {
        self.scenario = scenario
        self.batteries = max(1, batteries)
        self.cellsPerBattery = cellsPerBattery
        sequence = Array(repeating: 0, count: self.batteries)
        random = seed
    }

    /// Whether the scenario has run its course at `seconds`.
    public func isFinished(at seconds: Double) -> Bool { seconds > scenario.duration }

    /// Every byte the adapter sends in the tick at `seconds`: one sentence per talking battery,
    /// with noise around them in the noise scenario.
    public mutating func tick(at seconds: Double) -> [UInt8] {
        var bytes: [UInt8] = []
        for battery in 1...batteries {
            let frame = self.frame(battery: battery, at: seconds)
            guard frame.talking else { continue }
            if frame.stuck, !lastSentence.isEmpty {
                bytes += lastSentence
                continue
            }
            let sentence = M8Sentence(
                battery: battery, sequence: sequence[battery - 1], flags: frame.flags,
                cellMillivolts: frame.cells, temperatureDecicelsius: frame.temperatures)
            sequence[battery - 1] = (sequence[battery - 1] + 1) % 256
            let encoded = Array(SentenceEncoder.encode(sentence).utf8)
            lastSentence = encoded
            sentencesSent += 1
            if scenario == .noise {
                bytes += noise(count: 5 + Int(nextRandom() % 20))
                // Every fifth tick also a broken sentence (bad CRC): counted as bad, never acted on.
                if sentencesSent % 5 == 0 {
                    var broken = encoded
                    broken[broken.count / 2] ^= 0x01
                    bytes += broken
                }
            }
            bytes += encoded
        }
        return bytes
    }

    /// What battery `battery` reports at `seconds`, as a reading (the flags as the sentence
    /// carries them), or nil while it is silent: what `simulate --protocol` makes its BMS answer.
    public func reading(battery: Int, at seconds: Double) -> BatteryReading? {
        let frame = self.frame(battery: battery, at: seconds)
        guard frame.talking else { return nil }
        return BatteryReading(
            battery: battery, flags: BatteryFlags(rawValue: frame.flags),
            cellMillivolts: frame.cells, temperatureDecicelsius: frame.temperatures)
    }

    /// What one battery reports at `seconds`.
    struct Frame {
        var cells: [Int]
        var temperatures: [Int]
        var flags: UInt8 = 0x03
        var talking = true
        var stuck = false
    }

    func frame(battery: Int, at t: Double) -> Frame {
        var frame = Frame(cells: Array(repeating: 3300, count: cellsPerBattery), temperatures: [250])
        let isLast = battery == batteries
        switch scenario {
        case .steady, .noise:
            break
        case .discharge:
            frame.cells[1] = Self.ramp(t, [(10, 3300), (40, 2750), (100, 2750), (110, 3350)])
        case .charge:
            let millivolts = Self.ramp(t, [(5, 3350), (30, 3800), (45, 3800), (55, 3400)])
            frame.cells = frame.cells.map { _ in millivolts }
        case .cold:
            frame.temperatures[0] = isLast ? Self.ramp(t, [(10, 250), (25, 20), (35, 20), (45, 150)]) : 250
        case .hot:
            frame.temperatures[0] = isLast ? Self.ramp(t, [(10, 250), (25, 550), (35, 550), (45, 400)]) : 250
        case .silent:
            frame.talking = !(isLast && t >= 20 && t < 30)
        case .stuck:
            frame.stuck = t >= 20 && t < 30
        case .imbalance:
            frame.cells[cellsPerBattery - 1] = Self.ramp(t, [(10, 3280), (30, 3050)])
        case .demo:
            let cell = Self.ramp(t, [(8, 3300), (14, 2750), (50, 2750), (54, 3350), (58, 3350), (62, 3800), (66, 3800), (68, 3400)])
            if battery == 1 {
                frame.cells[1] = cell
            }
            if cell > 3350 { frame.cells = frame.cells.map { _ in cell } }
            frame.temperatures[0] = Self.ramp(t, [(73, 250), (74, 30), (79, 30), (80, 200)])
            frame.talking = !(isLast && batteries > 1 && t >= 88 && t < 95)
            frame.stuck = batteries == 1 && t >= 88 && t < 95
        }
        return frame
    }

    /// Piecewise-linear value through `points` (time, value); flat before the first and after the last.
    static func ramp(_ t: Double, _ points: [(Double, Int)]) -> Int {
        guard let first = points.first, let last = points.last else { return 0 }
        if t <= first.0 { return first.1 }
        if t >= last.0 { return last.1 }
        for (from, to) in zip(points, points.dropFirst()) where t >= from.0 && t <= to.0 {
            let fraction = to.0 == from.0 ? 1 : (t - from.0) / (to.0 - from.0)
            return from.1 + Int((Double(to.1 - from.1) * fraction).rounded())
        }
        return last.1
    }

    private mutating func noise(count: Int) -> [UInt8] {
        (0..<count).map { _ in
            var byte = UInt8(truncatingIfNeeded: nextRandom())
            if byte == UInt8(ascii: "$") { byte = UInt8(ascii: "#") }  // a stray $ would only resync; keep the noise honest
            return byte
        }
    }

    /// SplitMix64: deterministic, so a scenario is the same on every run.
    private mutating func nextRandom() -> UInt64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension BankSimulator {
    /// The replay-log lines (`T $M8B,...*CRC`) for bytes sent at `seconds`, as `simulate --record`
    /// writes them: each line from its first `$` (bytes outside a sentence are skipped by every
    /// receiver anyway, so the decoder sees the same sentences live and in the replay).
    public static func replayLines(for bytes: [UInt8], at seconds: Double) -> [String] {
        let time = millisecondsText(.milliseconds(Int64((seconds * 1000).rounded())))
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let dollar = line.firstIndex(of: UInt8(ascii: "$")) else { return nil }
            var sentence = Array(line[dollar...])
            if sentence.last == UInt8(ascii: "\r") { sentence.removeLast() }
            // Control bytes inside a broken sentence stay as they are: the decoder counts it bad.
            return time + " " + String(decoding: sentence, as: UTF8.self)
        }
    }
}
