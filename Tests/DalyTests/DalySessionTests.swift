import BMSCore
import Daly
import SerialBMS
import SerialBMSVectors
import Testing

private let sixteen = SimulatedPack(cellMillivolts: (0..<16).map { 3200 + $0 }, temperatureDecicelsius: [330, -50])

private func link(_ responder: DalyResponder = DalyResponder(pack: sixteen), tamper: @escaping @Sendable ([UInt8], [UInt8]) -> [UInt8] = { $1 }) -> SimulatedLink<DalyProtocol, DalyResponder> {
    SimulatedLink(session: PollSession(protocol: .daly, battery: 1, cells: 16), responder: responder, latency: .milliseconds(20), tamper: tamper)
}

@Suite struct DalySessionTests {
    @Test func aSixteenCellPack_givesAllSixteenCells_fromSixFrames() throws {
        var link = link()
        link.run(until: .seconds(1.5))
        #expect(link.readings.count == 2)
        let reading = try #require(link.readings.first?.reading)
        #expect(reading == BatteryReading(battery: 1, flags: BatteryFlags(allowsDischarge: true, allowsCharge: true, raisesPrealarm: false),
                                          cellMillivolts: sixteen.cellMillivolts, temperatureDecicelsius: [330, -50]))
        #expect(link.session.counters.polls == 10)
        #expect(link.session.counters.replies == 2 * (1 + 6 + 1 + 1 + 1))
    }

    @Test(arguments: [(UInt8(0x00), false), (0x04, true), (0x40, true), (0x08, false), (0x80, false), (0x01, false)])
    func alarmByte0_raisesPREOnlyForLevel1UnderVoltage(byte0: UInt8, prealarm: Bool) throws {
        var responder = DalyResponder(pack: sixteen)
        responder.alarmBytes[0] = byte0
        var link = link(responder)
        link.run(until: .milliseconds(900))
        #expect(try #require(link.readings.first).reading.flags.raisesPrealarm == prealarm)
    }

    @Test func theMOSFETs_giveATDAndATC() throws {
        var responder = DalyResponder(pack: sixteen)
        responder.pack.dischargeEnabled = false
        var link = link(responder)
        link.run(until: .milliseconds(900))
        #expect(try #require(link.readings.first).reading.flags == BatteryFlags(allowsDischarge: false, allowsCharge: true))
    }

    @Test func aMissingCellFrame_givesNoReading() {
        var link = link(tamper: { request, reply in request == DalyFrame.request(0x95) ? Array(reply.dropFirst(13)) : reply })
        link.run(until: .seconds(2.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.timeouts == 3)
        #expect(link.session.health == .partial)
    }

    @Test func aBMSWithoutTheAlarmRegister_givesNoReading() {
        var link = link(tamper: { request, reply in request == DalyFrame.request(0x98) ? [] : reply })
        link.run(until: .seconds(1.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.timeouts == 2)
    }

    @Test func aReplyForAnotherCommand_isRefusedAndCounted() {
        let responder = DalyResponder(pack: sixteen)
        var link = link(tamper: { request, reply in request == DalyFrame.request(0x93) ? responder.reply(to: 0x90) : reply })
        link.run(until: .seconds(1.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.wrongRegister == 2)
    }

    @Test func aBMSThatStopsAnswering_goesSilent_andEveryCycleIsAbandonedOrTimedOut() {
        var link = link()
        link.run(until: .seconds(1.5))
        link.tamper = { _, _ in [] }
        link.run(until: .seconds(5.5))
        #expect(link.readings.count == 2)
        #expect(link.session.counters.timeouts >= 4)
        #expect(link.session.health == .silent)
    }

    @Test func theResponder_ignoresGarbage_repliesAndUnknownCommands() {
        var responder = DalyResponder(pack: sixteen)
        #expect(responder.receive([0xA5, 0x40, 0x90, 0x08, 0x00]).isEmpty)  // cut short, then:
        #expect(responder.receive(DalyFrame(address: 0x01, command: 0x90).encoded).isEmpty)
        #expect(responder.receive(DalyFrame.request(0x99)).isEmpty)
        #expect(responder.receive(DalyFrame.request(0x95)).count == 6 * 13)
    }

    @Test func theDefaultReplyTimeout_coversFortyEightCells() {
        // 16 frames x 13 bytes x 10 bits at 9600 baud = 216.7 ms, rounded up, plus 150 ms.
        #expect(DalyProtocol().defaultReplyTimeout(baud: 9600) == .milliseconds(217 + 150))
    }
}
