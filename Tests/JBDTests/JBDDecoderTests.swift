import JBD
import SerialBMS
import Testing

private let cellReply: [UInt8] = [0xDD, 0x04, 0x00, 0x08, 0x0F, 0x23, 0x0F, 0x1C, 0x0F, 0x12, 0x0F, 0x1D, 0xFF, 0x4E, 0x77]
private let cells = JBDFrame.cellVoltages(JBDCellVoltages(cellMillivolts: [3875, 3868, 3858, 3869]))

private func frames(_ bytes: [UInt8], into decoder: inout JBDDecoder) -> [JBDFrame] {
    var found: [JBDFrame] = []
    decoder.feed(bytes) { found.append($0) }
    return found
}

@Suite struct JBDDecoderTests {
    @Test func aReplyWithOneDataByteChanged_failsItsChecksum_andTheNextStillDecodes() {
        var corrupted = cellReply
        corrupted[5] ^= 0x01
        var decoder = JBDDecoder()
        #expect(frames(corrupted + cellReply, into: &decoder) == [cells])
        #expect(decoder.counters.badChecksum == 1)
        #expect(decoder.counters.frames == 1)
    }

    @Test func aCellBlockOfOddLength_isABadLength_evenWithARightChecksum() {
        let odd = JBDRequest.reply(0x04, data: [0x0F, 0x23, 0x0F])
        var decoder = JBDDecoder()
        #expect(frames(odd, into: &decoder).isEmpty)
        #expect(decoder.counters.badLength == 1)
        #expect(decoder.counters.frames == 0)
    }

    @Test func aBasicInfoShorterThanItsNTCCount_isABadLength() {
        var data = JBDResponder(pack: .init(cellMillivolts: [3300, 3300], temperatureDecicelsius: [250])).basicInfo.data
        data[22] = 3  // announces three NTCs, carries one
        var decoder = JBDDecoder()
        #expect(frames(JBDRequest.reply(0x03, data: data), into: &decoder).isEmpty)
        #expect(decoder.counters.badLength == 1)
    }

    @Test func aMissingEndByte_isBadFraming() {
        var broken = cellReply
        broken[broken.count - 1] = 0x78
        var decoder = JBDDecoder()
        #expect(frames(broken, into: &decoder).isEmpty)
        #expect(decoder.counters.badFraming == 1)
    }

    @Test func aTruncatedReply_deliversNothing_andTheReplyAfterItDecodes() {
        var decoder = JBDDecoder()
        #expect(frames(Array(cellReply.prefix(9)), into: &decoder).isEmpty)
        #expect(decoder.heldByteCount == 9)
        // The rest never came; the next reply starts: the cut one is refused, the new one found.
        #expect(frames(cellReply, into: &decoder) == [cells])
        #expect(decoder.counters.bad == 1)
    }

    @Test func aReplySplitByteByByte_decodesOnce() {
        var decoder = JBDDecoder()
        var found: [JBDFrame] = []
        for byte in cellReply + cellReply { decoder.feed(CollectionOfOne(byte)) { found.append($0) } }
        #expect(found == [cells, cells])
    }

    @Test func noiseBetweenReplies_withStrayStartBytes_isSkipped() {
        let noise: [UInt8] = [0x00, 0xDD, 0x13, 0xFF, 0xDD, 0xDD, 0x77, 0x41]
        var decoder = JBDDecoder()
        #expect(frames(noise + cellReply + noise + cellReply + [0xDD], into: &decoder) == [cells, cells])
        #expect(decoder.counters.frames == 2)
        #expect(decoder.counters.skippedBytes > 0)
    }

    @Test func aStartByteInsideNoise_doesNotHideTheReplyBehindIt() {
        // 0xDD then the reply's first byte: the reply's own 0xDD must be found at once.
        var decoder = JBDDecoder()
        #expect(frames([0xDD] + cellReply, into: &decoder) == [cells])
    }

    @Test func endlessGarbage_holdsAtMostOneFrame() {
        var decoder = JBDDecoder()
        var generator = SystemRandomNumberGenerator()
        var found = 0
        for _ in 0..<20_000 {
            let byte: UInt8 = Bool.random(using: &generator) ? 0xDD : UInt8.random(in: 0...255, using: &generator)
            decoder.feed(CollectionOfOne(byte)) { _ in found += 1 }
            #expect(decoder.heldByteCount <= JBDDecoder.maxFrameLength)
        }
        let flood = [UInt8](repeating: 0xDD, count: 5_000)
        decoder.feed(flood) { _ in found += 1 }
        #expect(decoder.heldByteCount <= JBDDecoder.maxFrameLength)
        decoder.reset()
        #expect(decoder.heldByteCount == 0)
        #expect(frames(cellReply, into: &decoder) == [cells])
    }

    @Test func aRefusedRead_isDeliveredWithItsStatus() {
        var decoder = JBDDecoder()
        #expect(frames(JBDRequest.reply(0x03, status: 0x80, data: []), into: &decoder) == [.reply(register: 0x03, status: 0x80, data: [])])
    }
}
