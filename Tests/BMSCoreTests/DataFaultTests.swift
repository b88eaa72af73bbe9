import BMSCore
import Testing

@Suite("Rule 8: missing or bad data")
struct DataFaultTests {
    @Test func commsTimeout_firesWithNoFurtherInputAtLastFreshPlusTimeout() {
        var bench = startedBench()
        bench.send(at: 10.4, cells: fourCells(3300))
        bench.advance(to: 30)  // the bus falls silent: no input at all
        #expect(same(bench.when(.load, .off), 13.4))
        #expect(same(bench.when(.charger, .off), 13.4))
        #expect(same(bench.when(.prealarm, .on), 13.4))
        #expect(bench.change(.load, .off)?.reason.text == "battery 1 sent no fresh valid data for 3 s")
        #expect(bench.change(.load, .off)?.reason.rule == .dataFault)
    }

    @Test func commsTimeout_oneSilentBatteryOfThreeCutsEverything() {
        var bench = startedBench { $0.batteryCount = 3 }
        bench.hold(from: 11, to: 30, batteries: 2) { _ in fourCells(3300) }  // battery 3 is silent
        #expect(same(bench.when(.load, .off), 13))
        #expect(bench.change(.load, .off)?.reason.battery == 3)
    }

    @Test func recovery_afterAFault_outputsReturnRecoverSecondsAfterDataIsHealthy() {
        var bench = startedBench()
        bench.advance(to: 20)
        bench.hold(from: 20, to: 40) { _ in fourCells(3300) }
        #expect(same(bench.when(.load, .on, after: 11), 25))
        #expect(same(bench.when(.charger, .on, after: 11), 25))
        #expect(same(bench.when(.prealarm, .off), 25))
        #expect(bench.change(.load, .on, after: 11)?.reason.text == "every battery fresh and plausible for 5 s")
    }

    @Test func wrongCellCount_faultsAtOnce() {
        var bench = startedBench()
        bench.send(at: 11.3, cells: [3300, 3300, 3300])
        #expect(same(bench.when(.load, .off), 11.3))
        #expect(same(bench.when(.charger, .off), 11.3))
        #expect(same(bench.when(.prealarm, .on), 11.3))
        #expect(bench.change(.load, .off)?.reason.text == "battery 1 reports 3 cells, expected 4")
    }

    @Test func implausibleCell_faultsAtOnce() {
        var bench = startedBench()
        bench.send(at: 11.3, cells: fourCells(4600))
        #expect(same(bench.when(.load, .off), 11.3))
        #expect(bench.change(.load, .off)?.reason.text.contains("battery 1 cell 1 4.60 V is implausible") == true)
    }

    @Test func implausibleLowCell_isAFaultNotAnUnderVoltage() {
        var bench = startedBench()
        bench.send(at: 11.3, cells: fourCells(900))
        #expect(bench.change(.load, .off)?.reason.rule == .dataFault)
    }

    @Test func implausibleTemperature_faultsAtOnce() {
        var bench = startedBench()
        bench.send(at: 11.3, cells: fourCells(3300), temperatures: [1010])
        #expect(same(bench.when(.charger, .off), 11.3))
        #expect(bench.change(.charger, .off)?.reason.text.contains("temperature 1 101.0 C is implausible") == true)
        // The edges of the plausible range are plausible.
        var edges = startedBench()
        edges.send(at: 11, cells: fourCells(1000), temperatures: [-400, 1000])
        #expect(edges.change(.load, .off)?.reason.rule != .dataFault)
    }

    @Test func badData_thenGoodData_recoversAfterRecoverSeconds() {
        var bench = startedBench()
        bench.send(at: 11, cells: [3300])
        bench.hold(from: 12, to: 30) { _ in fourCells(3300) }
        #expect(same(bench.when(.load, .on, after: 11), 17))
        #expect(same(bench.when(.prealarm, .off), 17))
    }

    @Test func batteryAboveConfiguredCount_isIgnoredAndNoticedOnce() {
        var bench = startedBench()
        bench.send(at: 11, battery: 2, cells: [0])
        bench.send(at: 12, battery: 2, cells: [0])
        #expect(bench.controller.foreignBatterySentences == 2)
        #expect(bench.notices.filter { $0.text.contains("battery 2 reports") }.count == 1)
        #expect(bench.state(.load) == .on)
    }
}
