import Testing
@testable import VictronInstantReadout

@Suite struct InstantReadoutKeyTests {
    private let text = "aff4d0995b7d1e176c0c33ecb9e70dcd"

    @Test func thirtyTwoHexDigits_inEitherCase_withSeparators_giveTheSameKey() throws {
        let key = try InstantReadoutKey(hex: text)
        #expect(key.bytes.count == 16)
        #expect(key.checkByte == 0xAF)
        #expect(key.bytes.last == 0xCD)
        #expect(try InstantReadoutKey(hex: text.uppercased()) == key)
        #expect(try InstantReadoutKey(hex: "  " + text + "\n") == key)
        let pairs = stride(from: 0, to: 32, by: 2).map { Array(text)[$0..<$0 + 2] }.map { String($0) }
        #expect(try InstantReadoutKey(hex: pairs.joined(separator: ":")) == key)
        #expect(try InstantReadoutKey(hex: pairs.joined(separator: " ")) == key)
        #expect(InstantReadoutKey(bytes: key.bytes) == key)
        #expect(InstantReadoutKey(bytes: Array(key.bytes.prefix(15))) == nil)
    }

    @Test func anythingElse_isRefused_sayingWhatIsAllowed_withoutQuotingTheKey() {
        #expect(throws: InstantReadoutKeyError.wrongLength(digits: 31)) { try InstantReadoutKey(hex: String(text.dropLast())) }
        #expect(throws: InstantReadoutKeyError.wrongLength(digits: 33)) { try InstantReadoutKey(hex: text + "0") }
        #expect(throws: InstantReadoutKeyError.wrongLength(digits: 0)) { try InstantReadoutKey(hex: "") }
        #expect(throws: InstantReadoutKeyError.notHex(position: 2)) { try InstantReadoutKey(hex: "0x" + text) }
        #expect(throws: InstantReadoutKeyError.notHex(position: 32)) { try InstantReadoutKey(hex: String(text.dropLast()) + "g") }
        let message = InstantReadoutKeyError.notHex(position: 5).description
        #expect(message.contains("32 hex digits"))
        #expect(message.contains("Instant readout details"))
        #expect(!message.contains("aff4"))
    }

    @Test func theKey_isNeverPrinted_onlyItsFirstByteAndAShortHash() throws {
        let key = try InstantReadoutKey(hex: text)
        var dumped = ""
        dump(key, to: &dumped)
        var dumpedDecoder = ""
        dump(SmartLithiumDecoder(battery: 1, key: key), to: &dumpedDecoder)
        let renderings = [
            key.description, key.debugDescription, String(describing: key), String(reflecting: key), "\(key)", dumped,
            String(describing: SmartLithiumDecoder(battery: 1, key: key)), String(reflecting: BatteryMonitorDecoder(key: key)), dumpedDecoder,
        ]
        // Any 3 consecutive key bytes, in hex or as decimal numbers, would be a leak.
        let hexBytes = key.bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        for rendering in renderings {
            #expect(rendering.contains(key.redacted), "\(rendering)")
            for start in 1..<14 {
                let window = hexBytes[start..<start + 3].joined()
                #expect(!rendering.lowercased().contains(window), "\(rendering) shows key bytes \(window)")
            }
            #expect(!rendering.contains("244, 208"), "\(rendering) shows key bytes")
        }
        #expect(key.redacted.hasPrefix("af…#"))
        #expect(key.redacted.count == "af…#".count + 8)
        let hash = key.redacted.dropFirst(4)
        #expect(hash.allSatisfy { $0.isHexDigit })
    }

    @Test func twoKeys_sameFirstByte_differInTheirRedactedText() throws {
        let other = try InstantReadoutKey(hex: String(text.dropLast()) + "e")
        #expect(other.redacted.prefix(2) == "af")
        let key = try InstantReadoutKey(hex: text)
        #expect(other.redacted != key.redacted)
    }

    @Test func theRedactedHash_isTheFirst4BytesOfTheKeysSHA256() throws {
        let key = try InstantReadoutKey(hex: text)
        let digest = try LibCrypto.sha256(key.bytes).get()
        #expect(key.redacted == "af…#" + hex(Array(digest.prefix(4))))
    }
}
