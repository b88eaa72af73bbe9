import BMSCore
import JK
import SerialBMS
import SerialBMSVectors
import Testing

private func frames(_ bytes: [UInt8], into decoder: inout JKDecoder) -> [JKFrame] {
    var found: [JKFrame] = []
    decoder.feed(bytes) { found.append($0) }
    return found
}

@Suite struct JKVectorTests {
    @Test func theVectorFile_hasAJKRequestAndReply_andBothDecode() throws {
        let vectors = try SerialVectors.section("JK")
        #expect(vectors.map(\.kind) == ["request", "reply"])
        for vector in vectors {
            var decoder = JKDecoder()
            #expect(frames(vector.bytes, into: &decoder).count == 1, "\(vector.kind)")
            #expect(decoder.counters.bad == 0)
        }
    }

    @Test func theVectorRequest_isWhatTheEncoderWrites() throws {
        let request = try #require(try SerialVectors.section("JK").first { $0.kind == "request" })
        #expect(request.bytes == JKRequest.readAll())
        var decoder = JKDecoder()
        let frame = try #require(frames(request.bytes, into: &decoder).first)
        #expect(frame.isRequest)
        #expect(frame.command == 0x06)
    }

    @Test func theVectorReply_decodesToItsListedValues() throws {
        let reply = try #require(try SerialVectors.section("JK").first { $0.kind == "reply" })
        #expect(reply.bytes.count == 285)
        #expect(Array(reply.bytes.suffix(2)) == [0x54, 0xD1])
        var decoder = JKDecoder()
        let frame = try #require(frames(reply.bytes, into: &decoder).first)
        #expect(!frame.isRequest)
        let data = try #require(frame.readAll)
        #expect(data.cellMillivolts == [3821, 3834, 3831, 3820, 3832, 3834, 3825, 3832, 3811, 3834, 3825, 3835, 3835, 3826])
        #expect(data.cellNumbers == Array(1...14))
        #expect(data.mosfetTemperatureRaw == 29)
        #expect(data.battery1TemperatureRaw == 30)
        #expect(data.battery2TemperatureRaw == 28)
        #expect(data.batteryTemperatureDecicelsius == [300, 280])
        #expect(data.packCentivolts == 5359)
        #expect(data.currentRaw == 0x80D0)
        #expect(data.currentCentiamps == 208)
        #expect(data.stateOfChargePercent == 15)
        #expect(data.temperatureSensorCount == 2)
        #expect(data.cycles == 4)
        #expect(data.cellCount == 14)
        #expect(data.warnings == 0x0000)
        #expect(data.status == 0x0007)
        #expect(data.unparsed.isEmpty, "every tag of the real reply has a known size")
        #expect(frame.encoded == reply.bytes)
    }

    @Test func theVectorReply_inASession_givesTheTableReading() throws {
        let reply = try #require(try SerialVectors.section("JK").first { $0.kind == "reply" })
        var session = PollSession(protocol: .jk, battery: 1, cells: 14)
        #expect(session.advance(at: .origin).send == JKRequest.readAll())
        let out = session.receive(reply.bytes, at: .milliseconds(100))
        let reading = try #require(out.readings.first)
        #expect(reading.flags == BatteryFlags(allowsDischarge: true, allowsCharge: true, raisesPrealarm: false))
        #expect(reading.cellMillivolts.count == 14)
        #expect(reading.temperatureDecicelsius == [300, 280])
    }
}
