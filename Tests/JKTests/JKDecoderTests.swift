import BMSCore
import JK
import SerialBMS
import Testing

private let pack = SimulatedPack(cellMillivolts: [3300, 3310, 3320, 3330], temperatureDecicelsius: [250, -30])

private func frames(_ bytes: [UInt8], into decoder: inout JKDecoder) -> [JKFrame] {
    var found: [JKFrame] = []
    decoder.feed(bytes) { found.append($0) }
    return found
}

private let reply = JKResponder(pack: pack).reply()

@Suite struct JKDecoderTests {
    @Test func aChangedByte_failsTheSum_andTheNextReplyStillDecodes() {
        var corrupted = reply
        corrupted[14] ^= 0x10
        var decoder = JKDecoder()
        #expect(frames(corrupted + reply, into: &decoder).count == 1)
        #expect(decoder.counters.badChecksum == 1)
    }

    @Test func aLengthBelowTheShortestFrame_isRefusedAtOnce() {
        var decoder = JKDecoder()
        #expect(frames([0x4E, 0x57, 0x00, 0x05] + reply, into: &decoder).count == 1)
        #expect(decoder.counters.badLength == 1)
    }

    @Test func aLengthAboveTheLongestFrame_isRefusedAtOnce() {
        var decoder = JKDecoder()
        #expect(frames([0x4E, 0x57, 0x7F, 0xFF] + reply, into: &decoder).count == 1)
        #expect(decoder.counters.badLength == 1)
    }

    @Test func aCellBlockThatIsNotWholeCells_isABadLength() {
        let broken = JKFrame(command: 0x06, source: 0, type: 1, data: [0x79, 0x04, 0x01, 0x0C, 0xE4, 0x02]).encoded
        var decoder = JKDecoder()
        #expect(frames(broken, into: &decoder).isEmpty)
        #expect(decoder.counters.badLength == 1)
        #expect(decoder.counters.frames == 0)
    }

    @Test func aReplySplitByteByByte_decodesOnce_withNoiseAround() {
        let stream = [0x4E, 0x00, 0x4E, 0x4E, 0x57] + reply + [0x68, 0x4E] + reply
        var decoder = JKDecoder()
        var found: [JKFrame] = []
        for byte in stream { decoder.feed(CollectionOfOne(byte)) { found.append($0) } }
        #expect(found.count == 2)
        #expect(found.first?.readAll?.cellMillivolts == pack.cellMillivolts)
    }

    @Test func endlessGarbage_holdsAtMostOneFrame() {
        var decoder = JKDecoder()
        var generator = SystemRandomNumberGenerator()
        for index in 0..<20_000 {
            let byte: UInt8 = index % 3 == 0 ? 0x4E : (index % 3 == 1 ? 0x57 : UInt8.random(in: 0...255, using: &generator))
            decoder.feed(CollectionOfOne(byte)) { _ in }
            #expect(decoder.heldByteCount <= JKDecoder.maxFrameLength)
        }
        decoder.reset()
        #expect(frames(reply, into: &decoder).count == 1)
    }

    // The two open decoders agree from 101 on and differ at 99/100; esphome's is taken (see JKReadAll).
    @Test(arguments: [(0, 0), (25, 25), (99, 99), (100, 100), (101, -1), (120, -20), (140, -40)])
    func temperatures_above100_areNegative(raw: Int, celsius: Int) {
        #expect(JKReadAll.celsius(fromRaw: raw) == celsius)
        #expect(JKReadAll.raw(fromCelsius: celsius) == raw)
    }
}
