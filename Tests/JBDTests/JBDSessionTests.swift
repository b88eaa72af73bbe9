import BMSCore
import JBD
import SerialBMS
import SerialBMSVectors
import Testing

private let pack = SimulatedPack(cellMillivolts: [3301, 3302, 3303, 3304], temperatureDecicelsius: [215])

private func link(tamper: @escaping @Sendable ([UInt8], [UInt8]) -> [UInt8] = { $1 }) -> SimulatedLink<JBDProtocol, JBDResponder> {
    SimulatedLink(session: PollSession(protocol: .jbd, battery: 1, cells: 4), responder: JBDResponder(pack: pack), tamper: tamper)
}

@Suite struct JBDSessionTests {
    @Test func aResponder_givesOneReadingPerSecond() {
        var link = link()
        link.run(until: .seconds(4.5))
        #expect(link.readings.count == 5)
        #expect(link.session.counters.polls == 10)
        #expect(link.session.counters.replies == 10)
        #expect(link.session.counters.timeouts == 0)
        #expect(link.session.health == .answering)
    }

    @Test func aBMSThatStopsAnswering_countsTimeouts_givesNoReading_andGoesSilent() {
        var link = link()
        link.run(until: .seconds(2.5))
        let before = link.readings.count
        link.tamper = { _, _ in [] }
        link.run(until: .seconds(6.5))
        #expect(link.readings.count == before)
        #expect(link.session.counters.timeouts == 8)  // two requests in each of the four silent cycles
        #expect(link.session.health == .silent)
    }

    @Test func aBMSThatNeverAnswered_isNeverAnswered_notSilent() {
        var link = link(tamper: { _, _ in [] })
        link.run(until: .seconds(3.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.health == .neverAnswered)
    }

    @Test func aBMSThatAnswersOnlyBasicInfo_givesNoReading_andIsPartial() {
        var link = link(tamper: { request, reply in request == JBDRequest.read(0x04) ? [] : reply })
        link.run(until: .seconds(3.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.replies == 4)
        #expect(link.session.counters.timeouts == 4)
        #expect(link.session.health == .partial)
    }

    @Test func aReplyForTheWrongRegister_isRefusedAndCounted() {
        let responder = JBDResponder(pack: pack)
        var link = link(tamper: { request, reply in request == JBDRequest.read(0x03) ? responder.reply(to: 0x04) : reply })
        link.run(until: .seconds(1.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.wrongRegister == 2)
    }

    @Test func garbageAtTheWrongBaud_isGarbled() {
        var link = link(tamper: { _, reply in reply.map { $0 ^ 0x5A } })
        link.run(until: .seconds(2.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.health == .garbled)
        #expect(link.session.counters.skippedBytes + link.session.counters.bad > 0)
    }

    @Test func aRepliesSplitIntoSingleBytes_stillGiveReadings() {
        var session = PollSession(protocol: .jbd, battery: 1, cells: 4)
        var responder = JBDResponder(pack: pack)
        var readings: [BatteryReading] = []
        var request = session.advance(at: .origin).send
        var time = Duration.zero
        while !request.isEmpty {
            var next: [UInt8] = []
            for byte in responder.receive(request) {
                time += .milliseconds(1)
                let out = session.receive([byte], at: .origin + time)
                next += out.send
                readings += out.readings
            }
            request = next
        }
        #expect(readings.map(\.cellMillivolts) == [pack.cellMillivolts])
    }

    @Test func noiseBeforeEachReply_doesNotCostAReading() {
        var link = link(tamper: { _, reply in [0x00, 0xDD, 0x55, 0xDD] + reply })
        link.run(until: .seconds(2.5))
        #expect(link.readings.count == 3)
        #expect(link.session.counters.skippedBytes > 0)
    }

    @Test func anErrorStatus_isAnInvalidReply_andNoReading() {
        var link = link(tamper: { request, reply in request == JBDRequest.read(0x04) ? JBDRequest.reply(0x04, status: 0x80, data: []) : reply })
        link.run(until: .seconds(1.5))
        #expect(link.readings.isEmpty)
        #expect(link.session.counters.invalidReplies == 2)
    }

    @Test func theDefaultReplyTimeout_isTheLongestReplyOnTheWirePlusTurnaround() {
        // 71 bytes x 10 bits at 9600 baud = 73.96 ms, rounded up, plus 150 ms.
        #expect(JBDProtocol().defaultReplyTimeout(baud: 9600) == .milliseconds(74 + 150))
        #expect(JBDProtocol().supportedBauds == [9600])
    }
}
