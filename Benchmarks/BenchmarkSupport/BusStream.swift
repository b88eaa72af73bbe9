import M8Bus

/// SplitMix64: seeded, so every run feeds the decoder the very same bytes.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A byte stream as the adapter would send it, and what a correct decoder makes of it.
public struct BusStream: Sendable {
    /// The bytes, in the order they arrive.
    public let bytes: [UInt8]
    /// How many good, fresh `M8B` sentences the stream holds (what the decoder should deliver).
    public let goodSentences: Int
    /// Sentences written in all, good or damaged.
    public let sentencesWritten: Int

    /// `count` sentences of `cells` cells from batteries 1...20 in turn, each battery's seq
    /// counting up. `noisy` adds what a poor cable does: 0-24 bytes of line noise before every
    /// sentence, one sentence in ten with a digit changed (bad CRC) and one in twenty cut short
    /// by the next `$`.
    public init(sentences count: Int, cells: Int, noisy: Bool, seed: UInt64 = 42) {
        var random = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        var good = 0
        var sequence = Array(repeating: 0, count: 21)
        for index in 0..<count {
            let battery = index % 20 + 1
            let sentence = M8Sentence(
                battery: battery, sequence: sequence[battery], flags: 0x03,
                cellMillivolts: (0..<cells).map { _ in 3280 + Int.random(in: 0..<60, using: &random) },
                temperatureDecicelsius: cells == 4 ? [215] : [251, 238])
            sequence[battery] = (sequence[battery] + 1) % 256
            var encoded = Array(SentenceEncoder.encode(sentence).utf8)
            if noisy {
                // Noise never contains `$` (that would start a sentence) nor `\n`.
                let noise = Int.random(in: 0...24, using: &random)
                for _ in 0..<noise {
                    var byte = UInt8.random(in: 0...255, using: &random)
                    if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "\n") { byte = UInt8(ascii: "~") }
                    bytes.append(byte)
                }
                let damage = Int.random(in: 0..<20, using: &random)
                if damage < 2 {
                    // A byte changed in the checked part: the CRC no longer matches.
                    let position = 16 + Int.random(in: 0..<(cells * 5 - 4), using: &random)
                    // CRC-16 catches every single-byte change.
                    encoded[position] = encoded[position] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
                } else if damage == 2 {
                    encoded.removeLast(encoded.count / 2)  // cut short: the next `$` interrupts it
                } else {
                    good += 1
                }
            } else {
                good += 1
            }
            bytes += encoded
        }
        self.bytes = bytes
        self.goodSentences = good
        self.sentencesWritten = count
    }

    /// The stream cut into reads of at most `size` bytes, as `read(2)` on the UART hands them over.
    public func chunks(of size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }

    /// The stream cut after every `\n`: one array per sentence (for one read per sentence).
    public func sentences() -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            result.append(Array(bytes[start...index]))
            start = index + 1
        }
        return result
    }
}
