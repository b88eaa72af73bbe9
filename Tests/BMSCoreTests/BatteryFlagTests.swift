import BMSCore
import Testing

@Suite("The batteries' own ATD, ATC and PRE flags")
struct BatteryFlagTests {
    @Test func clearedATD_actsLikeUnderVoltage_prealarmThenLoadAfterTheLead() {
        var bench = startedBench()
        bench.hold(from: 11, to: 60, cells: { _ in fourCells(3300) }, flags: BatteryFlags(allowsDischarge: false, allowsCharge: true))
        #expect(same(bench.when(.prealarm, .on), 12))
        #expect(same(bench.when(.load, .off), 42))
        #expect(bench.change(.load, .off)?.reason.text == "battery 1 asks for loads off (ATD flag clear), pre-alarm raised 30 s ago")
        #expect(bench.state(.charger) == .on)
        bench.hold(from: 61, to: 70) { _ in fourCells(3300) }
        #expect(same(bench.when(.load, .on, after: 43), 66))
    }

    @Test func clearedATC_actsLikeOverVoltage() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20, cells: { _ in fourCells(3300) }, flags: BatteryFlags(allowsDischarge: true, allowsCharge: false))
        #expect(same(bench.when(.charger, .off), 12))
        #expect(same(bench.when(.ledTempOVP, .on), 12))
        #expect(bench.state(.load) == .on)
        bench.hold(from: 21, to: 30) { _ in fourCells(3300) }
        #expect(same(bench.when(.charger, .on, after: 12), 26))
    }

    @Test func raisedPRE_actsLikeThePrealarmThreshold() {
        var bench = startedBench()
        bench.hold(from: 11, to: 60, cells: { _ in fourCells(3300) }, flags: BatteryFlags(allowsDischarge: true, allowsCharge: true, raisesPrealarm: true))
        #expect(same(bench.when(.prealarm, .on), 12))
        #expect(bench.state(.load) == .on)
        bench.hold(from: 61, to: 70) { _ in fourCells(3300) }
        #expect(same(bench.when(.prealarm, .off), 66))
    }

    @Test func reservedFlagBits_areIgnored() {
        var bench = startedBench()
        bench.hold(from: 11, to: 30, cells: { _ in fourCells(3300) }, flags: BatteryFlags(rawValue: 0xF3))
        #expect(bench.count(.load) == 1 && bench.count(.charger) == 1 && bench.count(.prealarm) == 0)
    }
}

@Suite("Rule 10: state of charge")
struct StateOfChargeTests {
    @Test func lowStateOfCharge_raisesPrealarmThenCutsLoadWithTheLead() {
        var bench = startedBench { $0.stateOfCharge = StateOfChargeLimits() }
        bench.stateOfCharge(14.5, at: 11)
        bench.hold(from: 11, to: 20) { _ in fourCells(3300) }
        #expect(same(bench.when(.prealarm, .on), 12))
        #expect(bench.change(.prealarm, .on)?.reason.text == "SoC 14.5 % < 15 %")
        bench.stateOfCharge(9.5, at: 20.5)
        bench.hold(from: 21, to: 60) { _ in fourCells(3300) }
        #expect(same(bench.when(.load, .off), 42))
        bench.stateOfCharge(20, at: 60.5)
        bench.hold(from: 61, to: 70) { _ in fourCells(3300) }
        #expect(same(bench.when(.load, .on, after: 43), 65.5))
        #expect(same(bench.when(.prealarm, .off), 65.5))
    }

    @Test func stateOfCharge_isIgnoredWithoutAMonitorConfigured() {
        var bench = startedBench()
        bench.stateOfCharge(1, at: 11)
        bench.hold(from: 11, to: 60) { _ in fourCells(3300) }
        #expect(bench.when(.prealarm, .on) == nil)
    }
}
