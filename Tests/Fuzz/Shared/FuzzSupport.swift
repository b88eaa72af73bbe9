// Helpers shared by every fuzz target (compiled into each target's module by run.sh).
// Deliberately independent of the code under test: the CRC here is the bitwise textbook form,
// not the decoder's table.

#if canImport(Glibc)
import Glibc
#endif

/// Reports a broken invariant and crashes, so that libFuzzer saves the input as `crash-*`.
func fuzzFail(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    let text = "FUZZ INVARIANT BROKEN (\(file):\(line)): \(message())\n"
    _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    abort()
}

/// SplitMix64: chunk plans and choices derived from the input, reproducible from the input alone.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// FNV-1a over the input: the seed of everything the target derives from it.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return hash
}

/// CRC-16/CCITT-FALSE, bit by bit, straight from the definition in m8-serial-protocol.md.
func referenceCRC<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
    var crc: UInt16 = 0xFFFF
    for byte in bytes {
        crc ^= UInt16(byte) << 8
        for _ in 0..<8 {
            crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
    }
    return crc
}

/// The stream with the four bytes after every `$...*` replaced by the right CRC of the bytes
/// between `$` and `*`. Random mutations almost never hit a 16-bit CRC, so the targets run
/// every input twice, as is and repaired, to reach the field checks behind the CRC.
func withRepairedCRCs(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var index = 0
    while index < bytes.count {
        guard bytes[index] == UInt8(ascii: "$") else {
            index += 1
            continue
        }
        var star = index + 1
        while star < bytes.count, bytes[star] != UInt8(ascii: "*"), bytes[star] != UInt8(ascii: "$"),
              bytes[star] != UInt8(ascii: "\n") {
            star += 1
        }
        guard star < bytes.count, bytes[star] == UInt8(ascii: "*") else {
            index = star
            continue
        }
        let crc = referenceCRC(bytes[(index + 1)..<star])
        // Keep the case the input used, so both cases get exercised.
        let lower = star + 1 < bytes.count && (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(bytes[star + 1])
        let digits = Array((lower ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
        for digit in 0..<4 where star + 1 + digit < bytes.count {
            bytes[star + 1 + digit] = digits[Int((crc >> (12 - 4 * UInt16(digit))) & 0xF)]
        }
        index = star + 1
    }
    return bytes
}

/// Input bytes as a readable string for failure messages.
func escaped<C: Collection>(_ bytes: C, limit: Int = 400) -> String where C.Element == UInt8 {
    var text = ""
    for byte in bytes.prefix(limit) {
        switch byte {
        case UInt8(ascii: "\n"): text += "\\n"
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\\"): text += "\\\\"
        case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            text += "\\x" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    return bytes.count > limit ? text + "...(\(bytes.count) bytes)" : text
}
