import Testing
@testable import VictronInstantReadout

/// libcrypto against the standards' own test vectors.
@Suite struct LibCryptoTests {
    @Test func aes128CTR_matchesNISTSP800_38A_F5_1_overACounterCarry() throws {
        // NIST SP 800-38A, F.5.1 CTR-AES128.Encrypt, blocks 1 and 2 (the counter's last byte wraps ff -> 00).
        let key: [UInt8] = try VectorFile.bytes("2b7e151628aed2a6abf7158809cf4f3c", line: 0)
        let counter: [UInt8] = try VectorFile.bytes("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", line: 0)
        let plaintext = try VectorFile.bytes("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", line: 0)
        let ciphertext = try LibCrypto.aes128CTR(key: key, initialCounterBlock: counter, bytes: plaintext).get()
        #expect(hex(ciphertext) == "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff")
        #expect(try LibCrypto.aes128CTR(key: key, initialCounterBlock: counter, bytes: ciphertext).get() == plaintext)
        // A stream mode: any length, the prefix of the same keystream.
        #expect(try LibCrypto.aes128CTR(key: key, initialCounterBlock: counter, bytes: Array(plaintext.prefix(5))).get() == Array(ciphertext.prefix(5)))
        #expect(try LibCrypto.aes128CTR(key: key, initialCounterBlock: counter, bytes: []).get() == [])
    }

    @Test func aes128CTR_refusesAKeyOrCounterOfTheWrongSize() {
        let sixteen = [UInt8](repeating: 1, count: 16)
        #expect(throws: LibCrypto.Failure.self) { try LibCrypto.aes128CTR(key: Array(sixteen.prefix(15)), initialCounterBlock: sixteen, bytes: [1]).get() }
        #expect(throws: LibCrypto.Failure.self) { try LibCrypto.aes128CTR(key: sixteen, initialCounterBlock: sixteen + [0], bytes: [1]).get() }
    }

    @Test func sha256_matchesFIPS180_2() throws {
        #expect(hex(try LibCrypto.sha256(Array("abc".utf8)).get()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(try LibCrypto.sha256([]).get()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
