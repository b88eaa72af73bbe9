import M8Bus

/// SplitMix64: a tiny seeded generator so the random tests are reproducible without Foundation.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The four valid example sentences of the protocol document, verbatim, with the `\r\n` the
/// document's sentence grammar adds.
enum SpecExample {
    static let fourCells = "$M8B,1,0,03,4,3312,3310,3308,3311,1,215*737F\r\n"
    static let eightCells = "$M8B,2,17,03,8,3350,3349,3351,3348,3350,3352,3347,3349,2,251,-52*5E45\r\n"
    static let preAlarm = "$M8B,3,42,07,4,3085,3120,3118,3121,0*A0B3\r\n"
    static let allOff = "$M8B,1,255,00,4,2795,3101,3102,3100,1,190*3C91\r\n"
}

/// Decodes `text` with a fresh decoder in one call, returning what came out and the counters.
func decodeAll(_ text: String) -> (sentences: [M8Sentence], counters: BusCounters) {
    var decoder = SentenceDecoder()
    let sentences = decoder.feed(Array(text.utf8))
    return (sentences, decoder.counters)
}

/// A plausible 4-cell sentence; vary battery and seq to avoid repeats.
func sampleSentence(battery: Int = 1, sequence: Int = 0) -> M8Sentence {
    M8Sentence(
        battery: battery, sequence: sequence, flags: 0x03,
        cellMillivolts: [3312, 3310, 3308, 3311], temperatureDecicelsius: [215])
}

/// `text` without its final two bytes. Works on UTF-8 because Swift counts `"\r\n"` as one
/// `Character`, so `String.dropLast(2)` would also eat the last CRC digit.
func withoutCRLF(_ text: String) -> String {
    precondition(text.utf8.suffix(2).elementsEqual("\r\n".utf8))
    return String(decoding: text.utf8.dropLast(2), as: UTF8.self)
}
