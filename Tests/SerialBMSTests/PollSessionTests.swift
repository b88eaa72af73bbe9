import BMSCore
import SerialBMS
import Testing

private func session(interval: Duration = .seconds(1)) -> PollSession<TestProtocol> {
    PollSession(protocol: TestProtocol(), battery: 4, cells: 2, pollInterval: interval)
}

private func ms(_ value: Int64) -> Instant { .milliseconds(value) }

@Suite struct PollSessionTests {
    @Test func aCycle_sendsEachRequestWhenThePreviousReplyIsComplete_andYieldsOneReading() {
        var poll = session()
        #expect(poll.nextDeadline == .origin)
        #expect(poll.advance(at: ms(0)).send == TestProtocol.request(1))
        #expect(poll.nextDeadline == ms(100))
        #expect(poll.receive(TestProtocol.reply(1, 33), at: ms(20)).send == TestProtocol.request(2))
        let out = poll.receive(TestProtocol.reply(2, 34), at: ms(40))
        #expect(out.send.isEmpty)
        #expect(out.readings == [BatteryReading(battery: 4, flags: .normal, cellMillivolts: [330, 340], temperatureDecicelsius: [])])
        #expect(poll.nextDeadline == ms(1000))
        #expect(poll.advance(at: ms(999)).send.isEmpty)
        #expect(poll.advance(at: ms(1000)).send == TestProtocol.request(1))
        #expect(poll.counters.cycles == 2)
        #expect(poll.counters.readings == 1)
    }

    @Test func aTimedOutRequest_movesOn_butTheCycleGivesNoReading() {
        var poll = session()
        _ = poll.advance(at: ms(0))
        #expect(poll.advance(at: ms(100)).send == TestProtocol.request(2))
        let out = poll.receive(TestProtocol.reply(2, 34), at: ms(150))
        #expect(out.readings.isEmpty)
        #expect(poll.counters.timeouts == 1)
        #expect(poll.health == .partial)
    }

    @Test func aReplyAtItsDeadline_isLate_andARepliedRegisterOfThePast_isRefused() {
        var poll = session()
        _ = poll.advance(at: ms(0))
        // The reply for 1 arrives exactly at the timeout: the timeout runs first, request 2 goes out,
        // and the late reply for 1 is then a reply for another register.
        let out = poll.receive(TestProtocol.reply(1, 33), at: ms(100))
        #expect(out.send == TestProtocol.request(2))
        #expect(poll.counters.timeouts == 1)
        #expect(poll.counters.wrongRegister == 1)
    }

    @Test func aCycleStillOpenAtTheNextPoll_isAbandoned_neverMerged() {
        var poll = PollSession(protocol: TestProtocol(), battery: 1, cells: 2, pollInterval: .milliseconds(150), replyTimeout: .milliseconds(100))
        _ = poll.advance(at: ms(0))
        #expect(poll.receive(TestProtocol.reply(1, 33), at: ms(90)).send == TestProtocol.request(2))
        // Request 2 is still within its timeout when the next poll is due.
        let next = poll.advance(at: ms(150))
        #expect(next.send == TestProtocol.request(1))
        #expect(poll.counters.abandonedCycles == 1)
        // Register 2's reply of the old cycle is now for another register; 1 and 2 of the new cycle give the reading.
        #expect(poll.receive(TestProtocol.reply(2, 34), at: ms(160)).readings.isEmpty)
        #expect(poll.counters.wrongRegister == 1)
        _ = poll.receive(TestProtocol.reply(1, 35), at: ms(170))
        #expect(poll.receive(TestProtocol.reply(2, 36), at: ms(180)).readings.map(\.cellMillivolts) == [[350, 360]])
    }

    @Test func aStalledLoop_pollsOnce_thenKeepsTheIntervalFromNow() {
        var poll = session()
        _ = poll.advance(at: ms(0))
        _ = poll.advance(at: ms(5_500))
        #expect(poll.counters.abandonedCycles == 1)
        #expect(poll.counters.cycles == 2)
        #expect(poll.nextDeadline == ms(5_600))
    }

    @Test func reset_dropsThePartialFrameAndTheCycle_andPollsAtOnce() {
        var poll = session()
        _ = poll.advance(at: ms(0))
        _ = poll.receive(Array(TestProtocol.reply(1, 33).prefix(2)), at: ms(10))
        #expect(poll.heldByteCount == 2)
        poll.reset()
        #expect(poll.heldByteCount == 0)
        #expect(poll.nextDeadline == .origin)
        #expect(poll.advance(at: ms(20)).send == TestProtocol.request(1))
        // The rest of the old frame is noise now, not half a reply.
        _ = poll.receive(Array(TestProtocol.reply(1, 33).suffix(2)), at: ms(30))
        _ = poll.receive(TestProtocol.reply(1, 33), at: ms(40))
        #expect(poll.receive(TestProtocol.reply(2, 34), at: ms(50)).readings.count == 1)
    }

    @Test func aReplyBetweenCycles_isUnsolicited() {
        var poll = session()
        _ = poll.advance(at: ms(0))
        _ = poll.receive(TestProtocol.reply(1, 33), at: ms(10))
        _ = poll.receive(TestProtocol.reply(2, 34), at: ms(20))
        _ = poll.receive(TestProtocol.reply(2, 34), at: ms(30))
        #expect(poll.counters.unsolicited == 1)
        #expect(poll.counters.readings == 1)
    }

    @Test func anInvalidReply_endsTheRequest_andSpoilsTheCycle() {
        var poll = session()
        _ = poll.advance(at: ms(0))
        #expect(poll.receive(TestProtocol.reply(1, 0xFF), at: ms(10)).send == TestProtocol.request(2))
        #expect(poll.receive(TestProtocol.reply(2, 34), at: ms(20)).readings.isEmpty)
        #expect(poll.counters.invalidReplies == 1)
    }

    @Test func health_followsWhatTheLastCycleBrought() {
        var poll = session()
        #expect(poll.health == .neverAnswered)
        _ = poll.advance(at: ms(0))
        _ = poll.advance(at: ms(1000))  // nothing came: still never answered
        #expect(poll.health == .neverAnswered)
        _ = poll.receive([0x13, 0x7E, 0x00, 0x00, 0x00], at: ms(1010))  // bytes, no valid frame
        _ = poll.advance(at: ms(2000))
        #expect(poll.health == .garbled)
        _ = poll.receive(TestProtocol.reply(1, 1), at: ms(2010))
        _ = poll.receive(TestProtocol.reply(2, 2), at: ms(2020))
        #expect(poll.health == .answering)
        _ = poll.advance(at: ms(3000))
        _ = poll.advance(at: ms(4000))
        #expect(poll.health == .silent)
        #expect(poll.counters.bad == 1)
    }

    @Test func asAnyPoller_theSessionKeepsItsShape() {
        var poller: any SerialPoller = session()
        #expect(poller.advance(at: ms(0)).send == TestProtocol.request(1))
        _ = poller.receive(TestProtocol.reply(1, 1), at: ms(10))
        #expect(poller.receive(TestProtocol.reply(2, 2), at: ms(20)).readings.count == 1)
        #expect(poller.counters.polls == 2)
    }
}
