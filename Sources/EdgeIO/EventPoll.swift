import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The descriptors the daemon's loop waits on, as one epoll set: each is registered once and
/// stays registered while its interest is unchanged, so a wake-up costs one `epoll_wait` however
/// many descriptors there are (`poll` re-registered every one of them on every call).
///
/// Each descriptor has a token (the loop's index for it). The only Swift file that calls epoll.
public final class EventPoll {
    private let descriptor: Int32
    private var watched: [PollInterest?] = []
    private var readyTokens = [UInt64](repeating: 0, count: 16)
    private var readyEvents = [UInt32](repeating: 0, count: 16)
    /// How many descriptors the last ``wait(timeoutMilliseconds:)`` found ready.
    public private(set) var readyCount = 0

    /// An empty set.
    public init() throws(HardwareError) {
        descriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard descriptor >= 0 else {
            let code = errno
            throw HardwareError(
                "cannot create the event poll set: \(HardwareError.describe(errno: code)) (too many open files? check ulimit -n)",
                errno: code)
        }
    }

    deinit { close(descriptor) }

    /// Watches `interest` under `token`, replacing what the token had; nil stops watching it.
    /// Unchanged interests cost no system call.
    public func watch(token: Int, _ interest: PollInterest?) throws(HardwareError) {
        while watched.count <= token { watched.append(nil) }
        let old = watched[token]
        guard old != interest else { return }
        // A descriptor that was closed has left the set by itself, and its number may already be
        // another token's new descriptor: remove it only when no other token watches that number.
        if let old, old.descriptor != interest?.descriptor,
            !watched.indices.contains(where: { $0 != token && watched[$0]?.descriptor == old.descriptor }) {
            _ = control(EPOLL_CTL_DEL, old.descriptor, 0, token)
        }
        if let interest {
            var operation = old?.descriptor == interest.descriptor ? EPOLL_CTL_MOD : EPOLL_CTL_ADD
            let events = UInt32(UInt16(bitPattern: interest.events))
            if control(operation, interest.descriptor, events, token) != 0 {
                // The same number may be a new descriptor (closed and reopened): add it afresh.
                operation = errno == ENOENT ? EPOLL_CTL_ADD : errno == EEXIST ? EPOLL_CTL_MOD : -1
                guard operation >= 0, control(operation, interest.descriptor, events, token) == 0 else {
                    let code = errno
                    watched[token] = nil
                    throw HardwareError(
                        "cannot watch descriptor \(interest.descriptor): \(HardwareError.describe(errno: code))", errno: code)
                }
            }
        }
        watched[token] = interest
    }

    /// Registers every watched descriptor again: a safety net for a descriptor that was closed
    /// and reopened under the same number between two turns (the set would have lost it).
    public func rewatchAll() throws(HardwareError) {
        let current = watched
        for token in current.indices where current[token] != nil {
            try watch(token: token, nil)
            try watch(token: token, current[token])
        }
    }

    /// Waits up to `timeoutMilliseconds` (0: do not wait); returns the count of ready descriptors,
    /// or -1 with `errno` set (EINTR: a signal arrived).
    public func wait(timeoutMilliseconds: Int32) -> Int32 {
        let count = readyTokens.withUnsafeMutableBufferPointer { tokens in
            readyEvents.withUnsafeMutableBufferPointer { events in
                smallbmsd_epoll_wait(descriptor, tokens.baseAddress, events.baseAddress, Int32(tokens.count), timeoutMilliseconds)
            }
        }
        readyCount = max(0, Int(count))
        return count
    }

    /// The `index`-th ready descriptor of the last wait: its token and its events (`POLLIN` ...).
    public func ready(_ index: Int) -> (token: Int, events: Int16) {
        (Int(readyTokens[index]), Int16(truncatingIfNeeded: readyEvents[index]))
    }

    private func control(_ operation: Int32, _ target: Int32, _ events: UInt32, _ token: Int) -> Int32 {
        smallbmsd_epoll_ctl(descriptor, operation, target, events, UInt64(token))
    }
}
