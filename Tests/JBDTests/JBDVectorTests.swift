import BMSCore
import JBD
import SerialBMS
import SerialBMSVectors
import Testing

private func frames(_ bytes: [UInt8], into decoder: inout JBDDecoder) -> [JBDFrame] {
    var found: [JBDFrame] = []
    decoder.feed(bytes) { found.append($0) }
    return found
}

private func frames(_ bytes: [UInt8]) -> [JBDFrame] {
    var decoder = JBDDecoder()
    return frames(bytes, into: &decoder)
}

@Suite struct JBDVectorTests {
    @Test func theVectorFile_hasJBDRequestsAndReplies_andEveryOneDecodes() throws {
        let vectors = try SerialVectors.section("JBD")
        #expect(vectors.filter { $0.kind == "request" }.count == 2)
        #expect(vectors.filter { $0.kind == "reply" }.count == 2)
        for vector in vectors {
            var decoder = JBDDecoder()
            let found = frames(vector.bytes, into: &decoder)
            #expect(found.count == 1, "\(vector.kind) \(vector.bytes) gave \(found)")
            #expect(decoder.counters.bad == 0)
            #expect(decoder.heldByteCount == 0)
        }
    }

    @Test func theVectorRequests_areWhatTheEncoderWrites() throws {
        let requests = try SerialVectors.section("JBD").filter { $0.kind == "request" }.map(\.bytes)
        #expect(requests == [JBDRequest.read(0x03), JBDRequest.read(0x04)])
        #expect(frames(requests[0]) == [.request(register: 0x03, write: false, data: [])])
    }

    @Test func theBasicInfoVector_decodesToItsListedValues() throws {
        let reply = try #require(try SerialVectors.section("JBD").first { $0.kind == "reply" && $0.bytes[1] == 0x03 })
        guard case .basicInfo(let info) = try #require(frames(reply.bytes).first) else {
            Issue.record("0x03 reply not decoded as basic info")
            return
        }
        #expect(info.packCentivolts == 1547)
        #expect(info.currentCentiamps == 0)
        #expect(info.remainingCentiampHours == 493)
        #expect(info.nominalCentiampHours == 500)
        #expect(info.cycles == 0)
        #expect([info.productionYear, info.productionMonth, info.productionDay] == [2022, 3, 28])
        #expect(info.balanceBits == 0)
        #expect(info.protection == .softwareLock)
        #expect(info.softwareVersion == 0x80)
        #expect(info.stateOfChargePercent == 99)
        #expect(info.fetBits == 0x02)
        #expect(info.dischargeFETOn && !info.chargeFETOn)
        #expect(info.cellCount == 4)
        #expect(info.temperatureDecicelsius == [245, 242, 237])
        #expect(info.extra.isEmpty)
        // The software lock blocks both directions, whatever the FETs say.
        #expect(!info.allowsDischarge)
        #expect(!info.allowsCharge)
        #expect(info.data == Array(reply.bytes[4..<(reply.bytes.count - 3)]))
    }

    @Test func theCellVector_decodesToItsListedValues() throws {
        let reply = try #require(try SerialVectors.section("JBD").first { $0.kind == "reply" && $0.bytes[1] == 0x04 })
        #expect(frames(reply.bytes) == [.cellVoltages(JBDCellVoltages(cellMillivolts: [3875, 3868, 3858, 3869]))])
        #expect(JBDRequest.reply(0x04, data: JBDCellVoltages(cellMillivolts: [3875, 3868, 3858, 3869]).data) == reply.bytes)
    }

    @Test func bothVectorReplies_inOneCycle_giveTheReadingOfTheTable() throws {
        let replies = try SerialVectors.section("JBD").filter { $0.kind == "reply" }.map(\.bytes)
        var session = PollSession(protocol: .jbd, battery: 2, cells: 4)
        #expect(session.advance(at: .origin).send == JBDRequest.read(0x03))
        #expect(session.receive(replies[0], at: .milliseconds(60)).send == JBDRequest.read(0x04))
        let out = session.receive(replies[1], at: .milliseconds(120))
        #expect(out.send.isEmpty)
        #expect(out.readings == [BatteryReading(
            battery: 2, flags: BatteryFlags(allowsDischarge: false, allowsCharge: false, raisesPrealarm: false),
            cellMillivolts: [3875, 3868, 3858, 3869], temperatureDecicelsius: [245, 242, 237])])
        #expect(session.health == .answering)
    }
}
