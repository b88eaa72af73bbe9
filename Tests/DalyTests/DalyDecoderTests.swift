import Daly
import SerialBMS
import Testing

private let frame: [UInt8] = [0xA5, 0x01, 0x93, 0x08, 0x02, 0x01, 0x01, 0xA8, 0x00, 0x04, 0x5D, 0xF8, 0x46]

private func frames(_ bytes: [UInt8], into decoder: inout DalyDecoder) -> [DalyFrame] {
    var found: [DalyFrame] = []
    decoder.feed(bytes) { found.append($0) }
    return found
}

@Suite struct DalyDecoderTests {
    @Test func aWrongSum_isRefused_andTheNextFrameDecodes() {
        var corrupted = frame
        corrupted[6] = 0x00
        var decoder = DalyDecoder()
        #expect(frames(corrupted + frame, into: &decoder).map(\.command) == [0x93])
        #expect(decoder.counters.badChecksum == 1)
    }

    @Test func aLengthByteOtherThan8_isRefusedAfterFourBytes() {
        var decoder = DalyDecoder()
        #expect(frames([0xA5, 0x01, 0x93, 0x09] + frame, into: &decoder).count == 1)
        #expect(decoder.counters.badLength == 1)
    }

    @Test func aTruncatedFrame_thenAWholeOne_givesTheWholeOne() {
        var decoder = DalyDecoder()
        #expect(frames(Array(frame.prefix(7)), into: &decoder).isEmpty)
        #expect(frames(frame, into: &decoder).count == 1)
    }

    @Test func framesSplitByteByByte_withNoiseAround_decodeOnceEach() {
        let stream: [UInt8] = [0xA5, 0x00, 0x11] + frame + [0xA5, 0xA5] + frame + [0x42]
        var decoder = DalyDecoder()
        var found: [DalyFrame] = []
        for byte in stream { decoder.feed(CollectionOfOne(byte)) { found.append($0) } }
        #expect(found.count == 2)
        #expect(decoder.heldByteCount <= DalyFrame.length)
    }

    @Test func endlessGarbage_holdsAtMostOneFrame() {
        var decoder = DalyDecoder()
        var generator = SystemRandomNumberGenerator()
        for index in 0..<20_000 {
            let byte: UInt8 = index % 2 == 0 ? 0xA5 : UInt8.random(in: 0...255, using: &generator)
            decoder.feed(CollectionOfOne(byte)) { _ in }
            #expect(decoder.heldByteCount <= DalyFrame.length)
        }
    }
}
