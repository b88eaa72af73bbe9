// libFuzzer target for the VE.Direct text-protocol decoder (Sources/VEDirect). run.sh compiles the
// VEDirect sources as their own module with coverage and -enable-testing (so this file can read the
// decoder's held field count), and this harness without coverage.
//
// For every input:
// - the decoder fed the whole input, one byte at a time, and in chunks of sizes derived from the
//   input must deliver the same blocks and reach the same counters;
// - it must never hold more fields than fit in its block limit, and never crash or hang;
// - every delivered block must encode to bytes that decode to the same block, with a state of
//   charge that is nil or within 0...100 %.

@testable import VEDirect

@_cdecl("LLVMFuzzerTestOneInput")
public func vedirectFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkDecoder(on: input)
    return 0
}

/// The shortest field is 4 bytes (`\n`, a one-byte label, `\t`, and the next field's `\n`).
private let fieldLimit = VEDirectDecoder.maxBlockLength / 3 + 1

private func checkDecoder(on stream: [UInt8]) {
    var whole = VEDirectDecoder()
    var wholeOut: [VEDirectBlock] = []
    whole.feed(stream) { wholeOut.append($0) }

    var single = VEDirectDecoder()
    var singleOut: [VEDirectBlock] = []
    for (offset, byte) in stream.enumerated() {
        single.feed(CollectionOfOne(byte)) { singleOut.append($0) }
        guard single.heldFieldCount <= fieldLimit else {
            fuzzFail("decoder holds \(single.heldFieldCount) fields after byte \(offset) of \(escaped(stream))")
        }
    }
    guard singleOut == wholeOut, single.counters == whole.counters else {
        fuzzFail("byte by byte: \(singleOut.count) blocks \(single.counters), whole: \(wholeOut.count) blocks \(whole.counters), input \(escaped(stream))")
    }

    var random = FuzzRandom(seed: fnv1a(stream))
    var chunked = VEDirectDecoder()
    var chunkedOut: [VEDirectBlock] = []
    var offset = 0
    while offset < stream.count {
        let size = random.below(4) == 0 ? random.below(3) : 1 + random.below(64)
        let end = min(stream.count, offset + size)
        chunked.feed(stream[offset..<end]) { chunkedOut.append($0) }
        offset = end
    }
    guard chunkedOut == wholeOut, chunked.counters == whole.counters else {
        fuzzFail("chunked: \(chunkedOut.count) blocks \(chunked.counters), whole: \(wholeOut.count) blocks \(whole.counters), input \(escaped(stream))")
    }

    for block in wholeOut {
        if let percent = block.stateOfChargePercent, !(0...100).contains(percent) {
            fuzzFail("state of charge \(percent) % from \(block)")
        }
        // Bytes that are not UTF-8 arrive as U+FFFD, three bytes long once encoded again: only
        // ASCII blocks are expected to survive a re-encoding byte for byte.
        guard block.fields.allSatisfy({ $0.label.utf8.allSatisfy { $0 < 0x80 } && $0.value.utf8.allSatisfy { $0 < 0x80 } }) else { continue }
        var again = VEDirectDecoder()
        var decoded: [VEDirectBlock] = []
        again.feed(block.encoded()) { decoded.append($0) }
        guard decoded == [block] else {
            fuzzFail("\(block) re-encoded decodes to \(decoded)")
        }
    }
}
