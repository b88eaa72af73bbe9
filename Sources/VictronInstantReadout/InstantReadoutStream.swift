/// The steps every Instant Readout decoder shares, for one device: header, record type, key check,
/// repeat check, decryption, and the counters of each outcome. The record decoding is the caller's.
struct InstantReadoutStream: Sendable {
    /// A record that decrypted and is new, waiting for the caller's decoding.
    struct Opened: Sendable, Hashable {
        var plaintext: [UInt8]
        var dataCounter: UInt16
    }

    let key: InstantReadoutKey
    let recordType: UInt8
    private(set) var counters = InstantReadoutCounters()
    /// The data counter of the last fresh record; nil before the first.
    private(set) var lastFreshCounter: UInt16?

    init(key: InstantReadoutKey, recordType: UInt8) {
        self.key = key
        self.recordType = recordType
    }

    /// Counts the advertisement and opens it; every outcome but `.fresh` is already counted. A
    /// `.fresh` result must be settled with ``accept(_:)`` or ``reject(_:)``.
    mutating func open(_ manufacturerData: some Collection<UInt8>) -> InstantReadoutOutcome<Opened> {
        counters.advertisements += 1
        let advertisement: InstantReadoutAdvertisement
        do throws(InstantReadoutError) {
            advertisement = try InstantReadoutAdvertisement(manufacturerData: manufacturerData)
        } catch {
            if case .notProductAdvertisement = error { counters.foreign += 1 } else { counters.bad += 1 }
            return .refused(error)
        }
        guard advertisement.recordType == recordType else {
            counters.foreign += 1
            return .refused(.otherRecordType(advertisement.recordType, expected: recordType))
        }
        guard advertisement.keyCheckByte == key.checkByte else {
            counters.wrongKey += 1
            return .refused(.keyMismatch(checkByte: advertisement.keyCheckByte))
        }
        // A device sends each record several times; only a moved counter is new data.
        if advertisement.dataCounter == lastFreshCounter {
            counters.repeats += 1
            return .repeated(dataCounter: advertisement.dataCounter)
        }
        do throws(InstantReadoutError) {
            return .fresh(Opened(plaintext: try advertisement.decrypted(with: key), dataCounter: advertisement.dataCounter))
        } catch {
            counters.bad += 1
            return .refused(error)
        }
    }

    /// The opened record decoded: it is fresh, and its counter is the one repeats are judged against.
    mutating func accept(_ opened: Opened) {
        counters.decrypted += 1
        lastFreshCounter = opened.dataCounter
    }

    /// The opened record did not decode or is not trusted.
    mutating func reject(_ error: InstantReadoutError) -> InstantReadoutOutcome<Opened> {
        counters.bad += 1
        return .refused(error)
    }
}
