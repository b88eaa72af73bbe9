import BMSCore
import Pipeline
import M8Bus
import Testing

@Suite("simulate: every scenario, recorded and replayed, gives the transitions it intends")
struct BankSimulatorTests {
    /// Plays `scenario` at `rate` ticks a second, records it as `simulate --record` does, replays it.
    func replayed(_ scenario: BankSimulator.Scenario, batteries: Int, rate: Double = 1) throws -> (changes: [OutputChange], counters: BusCounters) {
        var simulator = BankSimulator(scenario: scenario, batteries: batteries)
        var log: [String] = []
        var tick = 0
        while !simulator.isFinished(at: Double(tick) / rate) {
            let t = Double(tick) / rate
            log += BankSimulator.replayLines(for: simulator.tick(at: t), at: t)
            tick += 1
        }
        log.append("\(scenario.duration)")
        var runner = ReplayRunner(settings: { var s = Settings(); s.batteryCount = batteries; return s }())
        var changes: [OutputChange] = []
        try runner.run(log: Array(log.joined(separator: "\n").utf8)) { changes.append($0) }
        return (changes, runner.counters)
    }

    /// Per output, the sequence of states: order between outputs at one instant is not the point.
    func perOutput(_ transitions: [(Output, OutputState)]) -> [Output: [OutputState]] {
        Dictionary(grouping: transitions, by: \.0).mapValues { $0.map(\.1) }
    }

    @Test(arguments: BankSimulator.Scenario.allCases, [1, 2])
    func scenario_replaysToItsIntendedTransitions(scenario: BankSimulator.Scenario, batteries: Int) throws {
        let (changes, counters) = try replayed(scenario, batteries: batteries)
        let actual = perOutput(changes.map { ($0.output, $0.state) })
        let intended = perOutput(scenario.intendedTransitions)
        #expect(actual == intended, "\(scenario): \(changes.map { "\($0.at) \($0.journalText)" })")
        #expect(counters.sentences > 0)
        if scenario == .noise { #expect(counters.bad > 0) }
        if scenario == .stuck { #expect(counters.repeats > 0) }
    }

    @Test func discharge_cutsLoadThirtySecondsAfterPrealarm() throws {
        let (changes, _) = try replayed(.discharge, batteries: 1)
        let prealarm = try #require(changes.first { $0.output == .prealarm && $0.state == .on })
        let cut = try #require(changes.first { $0.output == .load && $0.state == .off })
        #expect(cut.at - prealarm.at == .seconds(30))
    }

    @Test func fasterRate_sameTransitions() throws {
        let (slow, _) = try replayed(.charge, batteries: 1, rate: 1)
        let (fast, _) = try replayed(.charge, batteries: 1, rate: 10)
        #expect(perOutput(slow.map { ($0.output, $0.state) }) == perOutput(fast.map { ($0.output, $0.state) }))
    }
}
