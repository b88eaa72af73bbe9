import BMSCore
import Daly
import SerialBMS
import SerialBMSVectors
import Testing

private func replies() throws -> [UInt8: DalyFrame] {
    var byCommand: [UInt8: DalyFrame] = [:]
    for vector in try SerialVectors.section("Daly") where vector.kind == "reply" {
        var decoder = DalyDecoder()
        var found: [DalyFrame] = []
        decoder.feed(vector.bytes) { found.append($0) }
        #expect(found.count == 1, "\(vector.bytes) gave \(found)")
        #expect(decoder.counters.bad == 0)
        if let frame = found.first { byCommand[frame.command] = frame }
    }
    return byCommand
}

@Suite struct DalyVectorTests {
    @Test func everyVectorFrame_decodes_andTheRequestIsWhatTheEncoderWrites() throws {
        let vectors = try SerialVectors.section("Daly")
        #expect(vectors.count == 7)
        #expect(vectors.first { $0.kind == "request" }?.bytes == DalyFrame.request(0x90))
        let frames = try replies()
        #expect(frames.keys.sorted() == [0x90, 0x91, 0x92, 0x93, 0x94, 0x95])
        #expect(frames.values.allSatisfy { $0.address == DalyFrame.bmsAddress && !$0.isRequest })
        for vector in vectors where vector.kind == "reply" {
            var decoder = DalyDecoder()
            var again: [UInt8] = []
            decoder.feed(vector.bytes) { again = $0.encoded }
            #expect(again == vector.bytes)
        }
    }

    @Test func theReplies_decodeToTheirListedValues() throws {
        let frames = try replies()
        let status = DalyPackStatus(data: try #require(frames[0x90]).data)
        #expect(status.packDecivolts == 515)
        #expect(status.currentDeciamps == 526)
        #expect(status.stateOfChargePermille == 795)
        let cells = DalyCellExtremes(data: try #require(frames[0x91]).data)
        #expect([cells.maxMillivolts, cells.maxCell, cells.minMillivolts, cells.minCell] == [3253, 7, 3112, 5])
        let temperatures = DalyTemperatureExtremes(data: try #require(frames[0x92]).data)
        #expect([temperatures.maxCelsius, temperatures.maxSensor, temperatures.minCelsius, temperatures.minSensor] == [33, 1, 33, 1])
        let mosfets = DalyMOSFETStatus(data: try #require(frames[0x93]).data)
        #expect(mosfets.state == 2)
        #expect(mosfets.chargeMOSFETOn && mosfets.dischargeMOSFETOn)
        #expect(mosfets.remainingMilliampHours == 286_200)
        let info = DalyStatusInfo(data: try #require(frames[0x94]).data)
        #expect([info.cellCount, info.ntcCount, info.cycles] == [16, 1, 5])
        #expect(info.cellFrameCount == 6)
        let first = DalyCellVoltageFrame(data: try #require(frames[0x95]).data)
        #expect(first.number == 1)
        #expect(first.cellMillivolts == [3235, 3215, 3168])
    }

    @Test func theVectorPack_inACycle_waitsForAllSixCellFrames() throws {
        let frames = try replies()
        var cycle = DalyCycle()
        #expect(cycle.nextRequest() == DalyFrame.request(0x94))
        #expect(cycle.take(try #require(frames[0x94])) == .completes)
        #expect(cycle.nextRequest() == DalyFrame.request(0x95))
        #expect(cycle.take(try #require(frames[0x95])) == .needsMore)
        // The same frame again is doubt, not data.
        #expect(cycle.take(try #require(frames[0x95])) == .invalid)
    }
}
