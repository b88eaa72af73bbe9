// libFuzzer target for the JK "4E 57" decoder, session mapping and responder (Sources/JK).
//
// For every input, as is and with the sum of every candidate frame repaired:
// - whole, byte by byte and chunked give the same frames and counters; never more than 512 bytes held;
// - every frame encodes to bytes that decode to the same frame;
// - replayed into a session, every reading has 1...85 cells (a 255-byte cell block), each
//   0...65535 mV, and at most two temperatures, each what a 16-bit raw can say:
//   -654350...1000 decicelsius;
// - the responder answers only bytes that decode to whole frames.

import BMSCore
import JK
import SerialBMS

@_cdecl("LLVMFuzzerTestOneInput")
public func jkFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    check(input)
    check(repaired(input))
    return 0
}

private func check(_ stream: [UInt8]) {
    let frames = checkChunking({ JKDecoder() }, stream, maxHeld: JKDecoder.maxFrameLength)
    for frame in frames {
        var again = JKDecoder()
        var decoded: [JKFrame] = []
        again.feed(frame.encoded) { decoded.append($0) }
        guard decoded == [frame] else { fuzzFail("\(frame) re-encoded decodes to \(decoded)") }
    }
    checkSession(JKProtocol(), stream, maxHeld: JKDecoder.maxFrameLength) { reading in
        if reading.cellMillivolts.isEmpty || reading.cellMillivolts.count > 85 { return "\(reading.cellMillivolts.count) cells" }
        if reading.temperatureDecicelsius.count > 2 { return "\(reading.temperatureDecicelsius.count) temperatures" }
        return outside(reading.cellMillivolts, 0...65535, "cell mV") ?? outside(reading.temperatureDecicelsius, (-(65535 - 100) * 10)...1000, "decicelsius")
    }
    var responder = JKResponder(pack: SimulatedPack(cellMillivolts: [3300, 3310, 3320, 3330], temperatureDecicelsius: [250, -30]))
    let answer = responder.receive(stream)
    var decoder = JKDecoder()
    decoder.feed(answer) { _ in }
    guard decoder.counters.bad == 0, decoder.counters.skippedBytes == 0, decoder.heldByteCount == 0 else {
        fuzzFail("responder answered \(answer) to \(stream)")
    }
}

/// The stream with the end marker and sum of every `4E 57` candidate whose length fits written right.
private func repaired(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var index = 0
    while index + 3 < bytes.count {
        guard bytes[index] == 0x4E, bytes[index + 1] == 0x57 else {
            index += 1
            continue
        }
        let total = (Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])) + 2
        let end = index + total
        guard total >= JKDecoder.overhead, total <= JKDecoder.maxFrameLength, end <= bytes.count else {
            index += 1
            continue
        }
        bytes[end - 5] = 0x68
        let sum = JKDecoder.checksum(bytes[index..<(end - 4)])
        bytes[end - 2] = UInt8(sum >> 8)
        bytes[end - 1] = UInt8(sum & 0xFF)
        index = end
    }
    return bytes
}
