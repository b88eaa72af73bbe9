import BMSCore
import JK
import SerialBMS
import SerialBMSVectors
import Testing

private let pack = SimulatedPack(cellMillivolts: [3300, 3310, 3320, 3330], temperatureDecicelsius: [250, -30])

private func link(_ responder: JKResponder = JKResponder(pack: pack), tamper: @escaping @Sendable ([UInt8], [UInt8]) -> [UInt8] = { $1 }) -> SimulatedLink<JKProtocol, JKResponder> {
    SimulatedLink(session: PollSession(protocol: .jk, battery: 3, cells: 4), responder: responder, tamper: tamper)
}

@Suite struct JKSessionTests {
    @Test func theResponder_givesReadingsOfItsPack() throws {
        var link = link()
        link.run(until: .seconds(2.5))
        #expect(link.readings.count == 3)
        let reading = try #require(link.readings.first?.reading)
        #expect(reading == BatteryReading(battery: 3, flags: BatteryFlags(allowsDischarge: true, allowsCharge: true, raisesPrealarm: false),
                                          cellMillivolts: pack.cellMillivolts, temperatureDecicelsius: [250, -30]))
    }

    @Test(arguments: [(UInt16(0), false), (1 << 3, true), (1 << 11, true), (1 << 2, false), (1 << 10, false), (1 << 9, false)])
    func warningBits3And11_raisePRE_andNoOthers(warnings: UInt16, prealarm: Bool) throws {
        var responder = JKResponder(pack: pack)
        responder.warnings = warnings
        var link = link(responder)
        link.run(until: .milliseconds(500))
        #expect(try #require(link.readings.first).reading.flags.raisesPrealarm == prealarm)
    }

    @Test func statusBits_giveATDAndATC() throws {
        var responder = JKResponder(pack: pack)
        responder.pack.chargeEnabled = false
        var link = link(responder)
        link.run(until: .milliseconds(500))
        #expect(try #require(link.readings.first).reading.flags == BatteryFlags(allowsDischarge: true, allowsCharge: false))
    }

    @Test func aBMSThatStopsAnswering_countsTimeouts_andGoesSilent() {
        var link = link()
        link.run(until: .seconds(1.5))
        link.tamper = { _, _ in [] }
        link.run(until: .seconds(4.5))
        #expect(link.readings.count == 2)
        #expect(link.session.counters.timeouts == 3)
        #expect(link.session.health == .silent)
    }

    @Test func aReplyWithoutStatus_isInvalid_andGivesNoReading() {
        let fields = JKResponder(pack: pack).readAll.fields.filter { $0.tag != 0x8C }
        let broken = JKFrame(command: 0x06, source: 0, type: 1, data: JKReadAll(fields: fields).data).encoded
        var link = link(tamper: { _, _ in broken })
        link.run(until: .seconds(1.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.invalidReplies == 2)
        #expect(link.session.health == .partial)
    }

    @Test func ourOwnEcho_isNotAReply() {
        var link = link(tamper: { request, reply in request + reply })
        link.run(until: .seconds(1.5))
        #expect(link.readings.count == 2)
        #expect(link.session.counters.notReplies == 2)
    }

    @Test func theDefaultReplyTimeout_coversAThreeHundredByteReply() {
        // 339 bytes x 10 bits at 115200 baud = 29.4 ms, rounded up, plus 250 ms.
        #expect(JKProtocol().defaultReplyTimeout(baud: 115200) == .milliseconds(30 + 250))
        #expect(LineTiming.transmissionTime(bytes: 300, baud: 115200) == .milliseconds(27))
    }

    @Test func theResponder_ignoresGarbageAndOtherCommands() {
        var responder = JKResponder(pack: pack)
        #expect(responder.receive([0x4E, 0x57, 0x00, 0x01, 0x68]).isEmpty)
        #expect(responder.receive(JKFrame(command: 0x02, source: 3, type: 0, data: [0x00]).encoded).isEmpty)
        #expect(responder.receive(responder.reply()).isEmpty)
        #expect(responder.receive(JKRequest.readAll()) == responder.reply())
    }
}

@Suite struct JKEchoTests {
    @Test func anAdapterThatOnlyEchoes_whileTheBMSIsOff_isSilentNotGarbled() {
        var link = SimulatedLink(session: PollSession(protocol: .jk, battery: 1, cells: 4), responder: JKResponder(pack: pack), tamper: { request, _ in request })
        link.run(until: .seconds(2.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.health == .neverAnswered)
        #expect(link.session.counters.notReplies == 3)
    }
}
