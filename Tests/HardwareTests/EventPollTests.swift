import EdgeIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The loop's epoll set on real pipes: readiness, changes of interest, and descriptors that are
/// closed and reopened under the same number (which epoll forgets on its own).
@Suite("EventPoll, on real pipes")
struct EventPollTests {
    private func makePipe() -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        return (ends[0], ends[1])
    }

    /// A fresh pipe whose read end takes over `old`'s read number, as when a device is closed and
    /// reopened and the kernel hands out the same number. dup2 replaces it in one step: a plain
    /// close and pipe() would race the tests running in parallel for the lowest free number.
    private func reopenedOnTheSameNumber(_ old: (read: Int32, write: Int32)) -> (read: Int32, write: Int32) {
        close(old.write)
        let fresh = makePipe()
        #expect(dup2(fresh.read, old.read) == old.read)
        close(fresh.read)
        return (old.read, fresh.write)
    }

    private func readyTokens(_ set: EventPoll, waiting milliseconds: Int32 = 0) -> [Int] {
        _ = set.wait(timeoutMilliseconds: milliseconds)
        return (0..<set.readyCount).map { set.ready($0).token }.sorted()
    }

    @Test func aReadableDescriptor_isReportedUnderItsToken_andNotOnceDrained() throws {
        let set = try EventPoll()
        let first = makePipe(), second = makePipe()
        defer { [first.read, first.write, second.read, second.write].forEach { close($0) } }
        try set.watch(token: 3, PollInterest(descriptor: first.read, events: Int16(POLLIN)))
        try set.watch(token: 5, PollInterest(descriptor: second.read, events: Int16(POLLIN)))
        #expect(readyTokens(set).isEmpty)
        var byte: UInt8 = 1
        _ = write(second.write, &byte, 1)
        #expect(readyTokens(set, waiting: 1000) == [5])
        #expect(set.ready(0).events & Int16(POLLIN) != 0)
        _ = read(second.read, &byte, 1)
        #expect(readyTokens(set).isEmpty)
    }

    @Test func nilInterest_stopsWatching_andTheSameInterestAgainCostsNothing() throws {
        let set = try EventPoll()
        let ends = makePipe()
        defer { close(ends.read); close(ends.write) }
        let interest = PollInterest(descriptor: ends.read, events: Int16(POLLIN))
        try set.watch(token: 2, interest)
        try set.watch(token: 2, interest)
        var byte: UInt8 = 1
        _ = write(ends.write, &byte, 1)
        #expect(readyTokens(set) == [2])
        try set.watch(token: 2, nil)
        #expect(readyTokens(set).isEmpty)
    }

    @Test func aDescriptorReopenedUnderTheSameNumber_isFoundAgainByRewatchAll() throws {
        let set = try EventPoll()
        var ends = makePipe()
        let interest = PollInterest(descriptor: ends.read, events: Int16(POLLIN))
        try set.watch(token: 2, interest)
        // Closed and reopened between two turns: epoll dropped it, the interest looks unchanged.
        ends = reopenedOnTheSameNumber(ends)
        defer { close(ends.read); close(ends.write) }
        #expect(ends.read == interest.descriptor)
        try set.watch(token: 2, interest)
        var byte: UInt8 = 1
        _ = write(ends.write, &byte, 1)
        #expect(readyTokens(set).isEmpty, "epoll lost the descriptor when it was closed")
        try set.rewatchAll()
        #expect(readyTokens(set) == [2])
    }

    @Test func aNumberTakenOverByAnotherToken_isNotRemovedWithTheOldOne() throws {
        let set = try EventPoll()
        var ends = makePipe()
        let number = ends.read
        try set.watch(token: 2, PollInterest(descriptor: number, events: Int16(POLLIN)))
        ends = reopenedOnTheSameNumber(ends)
        defer { close(ends.read); close(ends.write) }
        #expect(ends.read == number)
        // Token 4 opened the number first, then token 2 reports its old one gone.
        try set.watch(token: 4, PollInterest(descriptor: ends.read, events: Int16(POLLIN)))
        try set.watch(token: 2, nil)
        var byte: UInt8 = 1
        _ = write(ends.write, &byte, 1)
        #expect(readyTokens(set) == [4])
    }
}
