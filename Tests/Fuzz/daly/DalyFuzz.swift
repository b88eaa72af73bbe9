// libFuzzer target for the Daly decoder, session mapping and responder (Sources/Daly).
//
// For every input, as is and with the length byte and sum of every candidate frame repaired:
// - whole, byte by byte and chunked give the same frames and counters; never more than 13 bytes held;
// - every frame encodes to exactly its bytes again;
// - replayed into a session, every reading has 1...255 cells (a byte's count), each 0...65535 mV,
//   and at most 255 temperatures, each a byte minus 40 C: -400...2150 decicelsius;
// - the responder answers only whole 13-byte frames.

import BMSCore
import Daly
import SerialBMS

@_cdecl("LLVMFuzzerTestOneInput")
public func dalyFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    check(input)
    check(repaired(input))
    return 0
}

private func check(_ stream: [UInt8]) {
    let frames = checkChunking({ DalyDecoder() }, stream, maxHeld: DalyFrame.length)
    for frame in frames {
        var again = DalyDecoder()
        var decoded: [DalyFrame] = []
        again.feed(frame.encoded) { decoded.append($0) }
        guard decoded == [frame] else { fuzzFail("\(frame) re-encoded decodes to \(decoded)") }
    }
    checkSession(DalyProtocol(), stream, maxHeld: DalyFrame.length) { reading in
        if reading.cellMillivolts.isEmpty || reading.cellMillivolts.count > 255 { return "\(reading.cellMillivolts.count) cells" }
        if reading.temperatureDecicelsius.count > 255 { return "\(reading.temperatureDecicelsius.count) temperatures" }
        return outside(reading.cellMillivolts, 0...65535, "cell mV") ?? outside(reading.temperatureDecicelsius, -400...2150, "decicelsius")
    }
    var responder = DalyResponder(pack: SimulatedPack(cellMillivolts: [3300, 3310, 3320, 3330, 3340], temperatureDecicelsius: [250, -30]))
    let answer = responder.receive(stream)
    var decoder = DalyDecoder()
    var answered = 0
    decoder.feed(answer) { _ in answered += 1 }
    guard decoder.counters.bad == 0, decoder.counters.skippedBytes == 0, answered * DalyFrame.length == answer.count else {
        fuzzFail("responder answered \(answer) to \(stream)")
    }
}

/// The stream with the length byte and sum of every `A5` candidate written right.
private func repaired(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var index = 0
    while index + DalyFrame.length <= bytes.count {
        guard bytes[index] == 0xA5 else {
            index += 1
            continue
        }
        bytes[index + 3] = 0x08
        bytes[index + 12] = DalyDecoder.sum8(bytes[index..<(index + 12)])
        index += DalyFrame.length
    }
    return bytes
}
