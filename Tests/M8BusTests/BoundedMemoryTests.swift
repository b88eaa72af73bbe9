@testable import M8Bus
import Testing

@Suite struct BoundedMemoryTests {
    @Test func neverBuffersMoreThanOneSentenceWorthOfBytes() {
        var decoder = SentenceDecoder()
        var largest = 0
        let flood = [UInt8](repeating: UInt8(ascii: "7"), count: 10_000)
        _ = decoder.feed([UInt8(ascii: "$")])
        for byte in flood {
            _ = decoder.feed(CollectionOfOne(byte))
            largest = max(largest, decoder.bufferedByteCount)
        }
        #expect(largest <= 158)  // 160 minus `$` and `\n`, which are never stored
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.counters == BusCounters(bad: 1))
    }
}
