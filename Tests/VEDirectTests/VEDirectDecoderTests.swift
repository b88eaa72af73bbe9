@testable import VEDirect
import Testing

/// A SmartShunt block as on the wire, its checksum byte (`9`, 0x39) worked out by hand from the
/// protocol's rule (every byte of the block adds up to 0 modulo 256), not by the encoder under test.
private let smartShuntBlock = Array(
    "\r\nPID\t0xA389\r\nV\t12850\r\nI\t-3250\r\nP\t-42\r\nCE\t-12345\r\nSOC\t876\r\nTTG\t1440\r\nAlarm\tOFF\r\nAR\t0\r\nBMV\tSmartShunt 500A/50mV\r\nFW\t0413\r\nChecksum\t9".utf8)

private func blocks(_ bytes: [UInt8], into decoder: inout VEDirectDecoder) -> [VEDirectBlock] {
    var found: [VEDirectBlock] = []
    decoder.feed(bytes) { found.append($0) }
    return found
}

private func blocks(_ bytes: [UInt8]) -> [VEDirectBlock] {
    var decoder = VEDirectDecoder()
    return blocks(bytes, into: &decoder)
}

private func block(soc: String, extra: [VEDirectBlock.Field] = []) -> VEDirectBlock {
    VEDirectBlock(fields: [.init(label: "V", value: "13200"), .init(label: "SOC", value: soc)] + extra)
}

@Suite struct VEDirectDecoderTests {
    @Test func aSmartShuntBlock_decodesToItsFieldsAndStateOfCharge() throws {
        let found = blocks(smartShuntBlock)
        let decoded = try #require(found.first)
        #expect(found.count == 1)
        #expect(decoded.fields.count == 11)
        #expect(decoded.value(of: "BMV") == "SmartShunt 500A/50mV")
        #expect(decoded.value(of: "I") == "-3250")
        #expect(decoded.stateOfChargePercent == 87.6)
        #expect(decoded.value(of: "Checksum") == nil)
    }

    @Test func theEncoder_writesTheSameBytesAsTheWire() {
        let fields = [("PID", "0xA389"), ("V", "12850"), ("I", "-3250"), ("P", "-42"), ("CE", "-12345"), ("SOC", "876"),
                      ("TTG", "1440"), ("Alarm", "OFF"), ("AR", "0"), ("BMV", "SmartShunt 500A/50mV"), ("FW", "0413")]
        #expect(VEDirectBlock(fields: fields.map { .init(label: $0.0, value: $0.1) }).encoded() == smartShuntBlock)
    }

    @Test func aBadChecksum_dropsThatBlockOnly() {
        var corrupted = smartShuntBlock
        corrupted[corrupted.firstIndex(of: UInt8(ascii: "8"))!] = UInt8(ascii: "1")  // SOC 876 -> 176
        var decoder = VEDirectDecoder()
        #expect(blocks(corrupted + smartShuntBlock, into: &decoder).map(\.stateOfChargePercent) == [87.6])
        #expect(decoder.counters.blocks == 1)
        #expect(decoder.counters.bad == 1)
    }

    @Test func anyChunking_givesTheSameBlocks() {
        let stream = smartShuntBlock + block(soc: "450").encoded() + Array(":A0102000543\n".utf8) + block(soc: "---").encoded()
        let whole = blocks(stream)
        #expect(whole.count == 3)
        for size in [1, 2, 3, 7, 64] {
            var decoder = VEDirectDecoder()
            var found: [VEDirectBlock] = []
            var index = 0
            while index < stream.count {
                let end = min(index + size, stream.count)
                decoder.feed(stream[index..<end]) { found.append($0) }
                index = end
            }
            #expect(found == whole, "chunks of \(size)")
        }
    }

    @Test func hexFrames_betweenAndInsideBlocks_areSkippedAndLeaveTheChecksumAlone() {
        let hex = Array(":7F0ED0071\n".utf8)
        let inside = Array(smartShuntBlock[0..<20]) + hex + Array(smartShuntBlock[20...])
        var decoder = VEDirectDecoder()
        #expect(blocks(hex + inside + hex, into: &decoder).map(\.stateOfChargePercent) == [87.6])
        #expect(decoder.counters.hexFrames == 3)
        #expect(decoder.counters.bad == 0)
    }

    @Test func aColonAsTheChecksumByte_isTheChecksumNotAHexFrame() throws {
        // Search for a block whose checksum byte happens to be ':' (a padded value moves the sum freely).
        var candidate = block(soc: "500")
        for padding in 0..<256 where candidate.encoded().last != UInt8(ascii: ":") {
            candidate = block(soc: "500", extra: [.init(label: "H1", value: String(repeating: "~", count: padding % 60) + String(padding))])
        }
        try #require(candidate.encoded().last == UInt8(ascii: ":"))
        #expect(blocks(candidate.encoded() + block(soc: "500").encoded()) == [candidate, block(soc: "500")])
    }

    @Test func aHalfBlockAtStartUp_isDropped() {
        var decoder = VEDirectDecoder()
        let found = blocks(Array(smartShuntBlock[40...]) + smartShuntBlock, into: &decoder)
        #expect(found.count == 1)
        #expect(decoder.counters.bad == 1)
    }

    @Test func reset_forgetsAPartialBlock() {
        var decoder = VEDirectDecoder()
        #expect(blocks(Array(smartShuntBlock[0..<30]), into: &decoder).isEmpty)
        decoder.reset()
        #expect(blocks(smartShuntBlock, into: &decoder).count == 1)
        #expect(decoder.counters.bad == 0)
    }

    @Test func stateOfCharge_unknownOrOutOfRange_isNil() {
        #expect(block(soc: "---").stateOfChargePercent == nil)
        #expect(block(soc: "1001").stateOfChargePercent == nil)
        #expect(block(soc: "-5").stateOfChargePercent == nil)
        #expect(block(soc: "").stateOfChargePercent == nil)
        #expect(block(soc: "1000").stateOfChargePercent == 100)
        #expect(block(soc: "0").stateOfChargePercent == 0)
        #expect(VEDirectBlock(fields: [.init(label: "V", value: "13200")]).stateOfChargePercent == nil)
    }

    @Test func overLongFields_spoilTheBlock() {
        let longValue = VEDirectBlock(fields: [.init(label: "SOC", value: String(repeating: "5", count: 65))])
        let longLabel = VEDirectBlock(fields: [.init(label: String(repeating: "L", count: 17), value: "1")])
        var decoder = VEDirectDecoder()
        #expect(blocks(longValue.encoded() + longLabel.encoded() + smartShuntBlock, into: &decoder).count == 1)
        #expect(decoder.counters.bad == 2)
    }

    @Test func endlessFieldsWithoutAChecksum_holdBoundedMemory_andTheNextBlockStillDecodes() {
        var decoder = VEDirectDecoder()
        var largest = 0
        let field = Array("\r\nV\t12850".utf8)
        for _ in 0..<10_000 {
            decoder.feed(field) { _ in }
            largest = max(largest, decoder.heldFieldCount)
        }
        #expect(largest <= VEDirectDecoder.maxBlockLength / field.count + 1)
        // The flood ends at the next checksum byte (a bad block); the block after it decodes.
        #expect(blocks(smartShuntBlock + smartShuntBlock, into: &decoder).count == 1)
        #expect(decoder.counters.bad == 1)
    }

    @Test func randomBytes_neverCrash_andEveryValidBlockAmongThemIsFound() {
        var generator = SystemRandomNumberGenerator()
        var stream: [UInt8] = []
        var planted: [VEDirectBlock] = []
        for round in 0..<200 {
            stream += (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // What a monitor's next block boundary looks like after any garbage: `\n` ends a HEX frame the
            // noise may have opened, and a `Checksum` field closes whatever block it opened.
            stream += Array("\n\r\nChecksum\tX".utf8)
            let next = block(soc: String(round * 5))
            stream += next.encoded()
            planted.append(next)
        }
        var decoder = VEDirectDecoder()
        let found = blocks(stream, into: &decoder)
        // Each planted block, in order; a noise block whose bytes happen to add up to 0 may come between.
        var remaining = planted[...]
        for block in found where block == remaining.first { remaining.removeFirst() }
        #expect(remaining.isEmpty, "\(remaining.count) planted blocks not found")
        #expect(found.count - planted.count <= 10)
        #expect(decoder.heldFieldCount == 0)
    }
}
