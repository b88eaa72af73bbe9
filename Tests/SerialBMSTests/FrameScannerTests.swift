import SerialBMS
import Testing

/// Frames `AA <len> <len bytes>`, length at most 5.
private func examine(_ held: [UInt8]) -> FrameCheck {
    guard held.count >= 2 else { return .needMore }
    guard held[1] <= 5 else { return .bad(.length) }
    return held.count >= 2 + Int(held[1]) ? .complete(length: 2 + Int(held[1])) : .needMore
}

private func scan(_ chunks: [[UInt8]]) -> (frames: [[UInt8]], counters: FrameCounters) {
    var scanner = FrameScanner(startByte: 0xAA, maxFrameLength: 7)
    var frames: [[UInt8]] = []
    for chunk in chunks { scanner.feed(chunk, examine: examine) { frames.append($0) } }
    return (frames, scanner.counters)
}

@Suite struct FrameScannerTests {
    @Test func aFrameInsideAFalseStart_isFound() {
        // AA 09 is a bad length; the AA 01 42 behind its start byte is a frame.
        let result = scan([[0x00, 0xAA, 0x09, 0xAA, 0x01, 0x42, 0x55]])
        #expect(result.frames == [[0xAA, 0x01, 0x42]])
        #expect(result.counters.badLength == 1)
        #expect(result.counters.skippedBytes == 3)  // 00, 09 and the trailing 55
    }

    @Test func anyChunking_givesTheSameFramesAndCounters() {
        let stream: [UInt8] = [0xAA, 0x02, 0x01, 0xAA, 0x07, 0xAA, 0x00, 0x10, 0xAA, 0x05, 1, 2, 3, 4, 5, 0xAA]
        let whole = scan([stream])
        #expect(whole.frames.count == 3)
        for size in 1...5 {
            let chunks = stride(from: 0, to: stream.count, by: size).map { Array(stream[$0..<min($0 + size, stream.count)]) }
            let split = scan(chunks)
            #expect(split.frames == whole.frames, "chunks of \(size)")
            #expect(split.counters == whole.counters, "chunks of \(size)")
        }
    }

    @Test func aRefusedDeliveredFrame_movesToItsFault() {
        var scanner = FrameScanner(startByte: 0xAA, maxFrameLength: 7)
        scanner.feed([0xAA, 0x00], examine: examine) { _ in }
        scanner.refuseDelivered(.length)
        #expect(scanner.counters.frames == 0)
        #expect(scanner.counters.badLength == 1)
    }

    @Test func transmissionTime_isTenBitsAByteRoundedUp() {
        #expect(LineTiming.transmissionTime(bytes: 96, baud: 9600) == .milliseconds(100))
        #expect(LineTiming.transmissionTime(bytes: 1, baud: 9600) == .milliseconds(2))
    }
}
