import CSystemd

/// Every call into libsystemd, and the only Swift file that imports it (one file per C library).
///
/// ``ServiceManager`` and ``Journal`` hold the behaviour and speak Swift; this file only turns
/// Swift values into the C calls. libsystemd's variadic functions (`sd_journal_send`,
/// `sd_notifyf`) cannot be called from Swift, so only their non-variadic twins appear here.
enum LibSystemd {
    /// `sd_notify(0, state)`: positive when sent, 0 when there is no `NOTIFY_SOCKET`, negative errno on failure.
    static func notify(_ state: String) -> Int32 {
        sd_notify(0, state)
    }

    /// `sd_watchdog_enabled(0, &usec)`: positive with the interval when the watchdog is on for
    /// this process, 0 when off (or meant for another pid), negative errno when the variables are malformed.
    static func watchdogEnabled() -> (result: Int32, microseconds: UInt64) {
        var microseconds: UInt64 = 0
        let result = sd_watchdog_enabled(0, &microseconds)
        return (result, microseconds)
    }

    /// `sd_journal_sendv` with one `NAME=value` entry per field: 0 when handed to journald,
    /// negative errno otherwise (it also returns 0 with no journald running: the entry is dropped).
    static func journalSend(_ fields: [String]) -> Int32 {
        // One contiguous buffer, so every iovec points into memory that stays put during the call.
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
        return bytes.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress
            var vectors = ranges.map { range in
                iovec(iov_base: base.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            return sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }
}
