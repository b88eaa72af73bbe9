import BMSCore
import Testing

@Suite("Rule 1: remote on/off, and the LEDs")
struct RemoteTests {
    @Test func remoteOff_dropsEveryOutputAtOnce() {
        var bench = startedBench()
        bench.hold(from: 11, to: 13) { _ in fourCells(3000) }  // PRE-ALARM on at 12
        bench.remote(on: false, at: 13.5)
        for output in Output.allCases { #expect(bench.state(output) == .off) }
        #expect(same(bench.when(.load, .off), 13.5))
        #expect(same(bench.when(.prealarm, .off), 13.5))
        #expect(bench.change(.charger, .off)?.reason.text == "remote off")
    }

    @Test func remoteOn_handsOutputsBackAtOnce() {
        var bench = startedBench()
        bench.remote(on: false, at: 11)
        bench.hold(from: 11, to: 40) { _ in fourCells(3300) }
        bench.remote(on: true, at: 40.25)
        #expect(same(bench.when(.load, .on, after: 12), 40.25))
        #expect(same(bench.when(.charger, .on, after: 12), 40.25))
        #expect(bench.change(.load, .on, after: 12)?.reason.text == "remote on")
    }

    @Test func remoteOn_withAConfirmedUnderVoltage_keepsLoadOffAndRaisesPrealarm() {
        var bench = startedBench()
        bench.remote(on: false, at: 11)
        bench.hold(from: 11, to: 60) { _ in fourCells(2700) }
        bench.remote(on: true, at: 60)
        #expect(bench.state(.load) == .off)
        #expect(same(bench.when(.prealarm, .on), 60))
        #expect(same(bench.when(.charger, .on, after: 12), 60))
    }

    @Test func remoteOffFromTheStart_nothingEverComesOn() {
        var bench = Bench()
        bench.remote(on: false, at: 0)
        bench.hold(from: 0, to: 30) { _ in fourCells(3300) }
        #expect(bench.changes.isEmpty)
    }

    @Test func ledLoad_followsLoad() {
        var bench = startedBench()
        bench.hold(from: 11, to: 80) { _ in fourCells(2750) }
        bench.hold(from: 81, to: 100) { _ in fourCells(3300) }
        let load = bench.changes.filter { $0.output == .load }.map { "\($0.state)@\($0.at)" }
        let led = bench.changes.filter { $0.output == .ledLoad }.map { "\($0.state)@\($0.at)" }
        #expect(load == led)
        #expect(load.count == 3)
    }

    @Test func ledTempOVP_litOnlyWhileChargerIsOffForVoltageOrTemperature() {
        var bench = startedBench()
        bench.hold(from: 11, to: 20) { _ in fourCells(3800) }
        #expect(same(bench.when(.ledTempOVP, .on), 12))
        bench.remote(on: false, at: 20.5)
        #expect(same(bench.when(.ledTempOVP, .off), 20.5))
        bench.remote(on: true, at: 21)
        #expect(same(bench.when(.ledTempOVP, .on, after: 20.6), 21))
        bench.advance(to: 30)  // silent bus: a fault darkens the LED
        #expect(same(bench.when(.ledTempOVP, .off, after: 21), 23))
    }

    @Test func ledTempOVP_staysDarkForAFault() {
        var bench = startedBench()
        bench.advance(to: 30)
        #expect(bench.when(.ledTempOVP, .on) == nil)
        #expect(bench.state(.charger) == .off)
    }
}
