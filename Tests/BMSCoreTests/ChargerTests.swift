import BMSCore
import Testing

@Suite("Rules 6 and 7: over-voltage and temperature")
struct ChargerTests {
    @Test func overVoltage_cutsChargerAfterConfirm_andReturnsBelowReconnectAfterRecover() {
        var bench = startedBench()
        bench.hold(from: 11, to: 30) { _ in fourCells(3300, others: 3760) }
        #expect(same(bench.when(.charger, .off), 12))
        #expect(bench.change(.charger, .off)?.reason.text == "battery 1 cell 2 3.76 V > 3.75 V")
        bench.hold(from: 31, to: 40) { _ in fourCells(3300, others: 3600) }  // not below 3.60 V yet
        #expect(bench.state(.charger) == .off)
        bench.hold(from: 41, to: 50) { _ in fourCells(3300, others: 3599) }
        #expect(same(bench.when(.charger, .on, after: 12), 46))
        #expect(bench.state(.load) == .on)
        #expect(bench.count(.load) == 1)
    }

    @Test func overVoltage_exactlyAtDisconnect_doesNotTrip() {
        var bench = startedBench()
        bench.hold(from: 11, to: 30) { _ in fourCells(3750) }
        #expect(bench.state(.charger) == .on)
    }

    @Test func hot_cutsChargerAboveMax_andReturnsOnlyBelowMaxMinusHysteresis() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20, cells: { _ in fourCells(3300) }, temperatures: [501])
        #expect(same(bench.when(.charger, .off), 12))
        #expect(bench.change(.charger, .off)?.reason.text == "battery 1 temperature 1 50.1 C > 50.0 C")
        bench.hold(from: 21, to: 40, cells: { _ in fourCells(3300) }, temperatures: [490])
        #expect(bench.state(.charger) == .off)
        bench.hold(from: 41, to: 50, cells: { _ in fourCells(3300) }, temperatures: [480])
        #expect(same(bench.when(.charger, .on, after: 12), 46))
    }

    @Test func cold_cutsChargerBelowMin_andReturnsAboveMinPlusHysteresis() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20, cells: { _ in fourCells(3300) }, temperatures: [250, 49])
        #expect(same(bench.when(.charger, .off), 12))
        #expect(bench.change(.charger, .off)?.reason.text == "battery 1 temperature 2 4.9 C < 5.0 C")
        #expect(same(bench.when(.ledTempOVP, .on), 12))
        bench.hold(from: 21, to: 40, cells: { _ in fourCells(3300) }, temperatures: [250, 69])
        #expect(bench.state(.charger) == .off)
        bench.hold(from: 41, to: 50, cells: { _ in fourCells(3300) }, temperatures: [250, 70])
        #expect(same(bench.when(.charger, .on, after: 12), 46))
        #expect(bench.state(.load) == .on)
    }
}
