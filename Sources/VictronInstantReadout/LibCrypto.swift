import CCrypto

/// The two primitives the Instant Readout format needs, from the system's OpenSSL libcrypto
/// (EVP interface): AES-128-CTR and SHA-256. The only file of the package that calls libcrypto.
///
/// Every EVP return value is checked; the cipher and digest contexts live only inside one call
/// (created, used and freed there), so no libcrypto handle leaves this file.
enum LibCrypto {
    /// A libcrypto call that reported failure (or an argument of the wrong size), named for the log.
    struct Failure: Error, Sendable, Hashable {
        /// The EVP function that failed, or what was wrong with the arguments.
        var call: String
    }

    /// AES-128 in counter mode: encrypts or decrypts (the same operation) `bytes` with `key`
    /// (16 bytes), the first keystream block being the encryption of `initialCounterBlock`
    /// (16 bytes; incremented as a 128-bit big-endian number for each further block).
    static func aes128CTR(key: [UInt8], initialCounterBlock: [UInt8], bytes: [UInt8]) -> Result<[UInt8], Failure> {
        guard key.count == 16 else { return .failure(Failure(call: "AES-128 key of \(key.count) bytes (needs 16)")) }
        guard initialCounterBlock.count == 16 else {
            return .failure(Failure(call: "initial counter block of \(initialCounterBlock.count) bytes (needs 16)"))
        }
        guard bytes.count <= Int(Int32.max) - 16 else { return .failure(Failure(call: "input of \(bytes.count) bytes")) }
        guard let context = EVP_CIPHER_CTX_new() else { return .failure(Failure(call: "EVP_CIPHER_CTX_new")) }
        defer { EVP_CIPHER_CTX_free(context) }
        guard let cipher = EVP_aes_128_ctr() else { return .failure(Failure(call: "EVP_aes_128_ctr")) }
        guard EVP_EncryptInit_ex(context, cipher, nil, key, initialCounterBlock) == 1 else {
            return .failure(Failure(call: "EVP_EncryptInit_ex"))
        }
        // CTR is a stream mode: the output is exactly as long as the input; the spare block is
        // what EVP_EncryptUpdate's contract asks the caller to allow for.
        var output = [UInt8](repeating: 0, count: bytes.count + 16)
        var total = 0
        let status: Failure? = output.withUnsafeMutableBufferPointer { buffer -> Failure? in
            guard let base = buffer.baseAddress else { return Failure(call: "output buffer") }
            var written: Int32 = 0
            if !bytes.isEmpty {
                guard EVP_EncryptUpdate(context, base, &written, bytes, Int32(bytes.count)) == 1 else {
                    return Failure(call: "EVP_EncryptUpdate")
                }
                total = Int(written)
            }
            guard total >= 0, total <= bytes.count else { return Failure(call: "EVP_EncryptUpdate wrote \(total) bytes") }
            written = 0
            guard EVP_EncryptFinal_ex(context, base + total, &written) == 1 else { return Failure(call: "EVP_EncryptFinal_ex") }
            total += Int(written)
            return nil
        }
        if let status { return .failure(status) }
        guard total == bytes.count else {
            return .failure(Failure(call: "EVP gave \(total) bytes for \(bytes.count)"))
        }
        return .success(Array(output.prefix(total)))
    }

    /// The SHA-256 digest (32 bytes) of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> Result<[UInt8], Failure> {
        guard let context = EVP_MD_CTX_new() else { return .failure(Failure(call: "EVP_MD_CTX_new")) }
        defer { EVP_MD_CTX_free(context) }
        guard let digest = EVP_sha256() else { return .failure(Failure(call: "EVP_sha256")) }
        guard EVP_DigestInit_ex(context, digest, nil) == 1 else { return .failure(Failure(call: "EVP_DigestInit_ex")) }
        guard EVP_DigestUpdate(context, bytes, bytes.count) == 1 else { return .failure(Failure(call: "EVP_DigestUpdate")) }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else { return .failure(Failure(call: "EVP_DigestFinal_ex")) }
        guard length == 32 else { return .failure(Failure(call: "EVP_DigestFinal_ex gave \(length) bytes")) }
        return .success(Array(output.prefix(32)))
    }
}
