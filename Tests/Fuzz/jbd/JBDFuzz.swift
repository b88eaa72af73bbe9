// libFuzzer target for the JBD decoder, session mapping and responder (Sources/JBD). run.sh
// compiles SerialBMS and JBD with coverage, this harness and SerialShared/ without.
//
// For every input, as is and with the checksum of every candidate frame repaired:
// - the decoder fed whole, byte by byte and in chunks delivers the same frames and counters,
//   never holds more than one frame (262 bytes), never crashes or hangs;
// - every frame encodes to bytes that decode to the same frame;
// - replayed into a session, every reading has 1...127 cells (255 data bytes), each 0...65535 mV,
//   and temperatures of 0.1 K raws: -2731...62804 decicelsius, at most 116 of them;
// - the responder, fed the input, answers only bytes that decode to whole frames.

import BMSCore
import JBD
import SerialBMS

@_cdecl("LLVMFuzzerTestOneInput")
public func jbdFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    check(input)
    check(repaired(input))
    return 0
}

private func check(_ stream: [UInt8]) {
    let frames = checkChunking({ JBDDecoder() }, stream, maxHeld: JBDDecoder.maxFrameLength)
    for frame in frames {
        var again = JBDDecoder()
        var decoded: [JBDFrame] = []
        again.feed(encoded(frame)) { decoded.append($0) }
        guard decoded == [frame] else { fuzzFail("\(frame) re-encoded decodes to \(decoded)") }
    }
    checkSession(JBDProtocol(), stream, maxHeld: JBDDecoder.maxFrameLength) { reading in
        if reading.cellMillivolts.isEmpty || reading.cellMillivolts.count > 127 { return "\(reading.cellMillivolts.count) cells" }
        if reading.temperatureDecicelsius.count > 116 { return "\(reading.temperatureDecicelsius.count) temperatures" }
        return outside(reading.cellMillivolts, 0...65535, "cell mV") ?? outside(reading.temperatureDecicelsius, -2731...(65535 - 2731), "decicelsius")
    }
    var responder = JBDResponder(pack: SimulatedPack(cellMillivolts: [3300, 3310, 3320, 3330], temperatureDecicelsius: [250]))
    let answer = responder.receive(stream)
    var decoder = JBDDecoder()
    var answered = 0
    decoder.feed(answer) { _ in answered += 1 }
    guard decoder.counters.bad == 0, decoder.counters.skippedBytes == 0, decoder.heldByteCount == 0, answered * 7 <= answer.count else {
        fuzzFail("responder answered \(answer) to \(stream)")
    }
}

private func encoded(_ frame: JBDFrame) -> [UInt8] {
    switch frame {
    case .basicInfo(let info): return JBDRequest.reply(0x03, data: info.data)
    case .cellVoltages(let cells): return JBDRequest.reply(0x04, data: cells.data)
    case .reply(let register, let status, let data): return JBDRequest.reply(register, status: status, data: data)
    case .request(let register, let write, let data):
        let covered = [register, UInt8(data.count)] + data
        let sum = JBDRequest.checksum(covered)
        return [0xDD, write ? 0x5A : 0xA5] + covered + [UInt8(sum >> 8), UInt8(sum & 0xFF), 0x77]
    }
}

/// The stream with the checksum and end byte of every `DD` candidate whose length fits written right.
private func repaired(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var index = 0
    while index + 3 < bytes.count {
        guard bytes[index] == 0xDD else {
            index += 1
            continue
        }
        let length = Int(bytes[index + 3])
        let end = index + 7 + length
        guard end <= bytes.count else { break }
        let sum = JBDRequest.checksum(bytes[(index + 2)..<(index + 4 + length)])
        bytes[end - 3] = UInt8(sum >> 8)
        bytes[end - 2] = UInt8(sum & 0xFF)
        bytes[end - 1] = 0x77
        index = end
    }
    return bytes
}
