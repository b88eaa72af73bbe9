import BMSCore
import Foundation
import History
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("History: SQLite for real", .serialized)
struct HistoryStoreTests {
    private func databasePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-history-\(UUID().uuidString).db").path
    }

    private func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func flushes_widenTheDaysExtremes_andAddTheTimeInEachState() throws {
        let path = databasePath()
        defer { remove(path) }
        let store = try HistoryStore(path: path)
        try store.recordStart(at: 1_796_000_000)
        try store.flush(
            extremes: [DailyExtremes(day: "2026-12-01", battery: 2, minCellMillivolts: 3200, maxCellMillivolts: 3300, minDecicelsius: nil, maxDecicelsius: nil)],
            stateTimes: [StateTime(day: "2026-12-01", output: "load", state: "on", seconds: 300)], at: 1_796_000_300)
        try store.flush(
            extremes: [DailyExtremes(day: "2026-12-01", battery: 2, minCellMillivolts: 3250, maxCellMillivolts: 3400, minDecicelsius: 40, maxDecicelsius: 250)],
            stateTimes: [StateTime(day: "2026-12-01", output: "load", state: "on", seconds: 120.5)], at: 1_796_000_600)
        let days = try store.extremes(sinceDay: "2026-12-01")
        #expect(days == [DailyExtremes(day: "2026-12-01", battery: 2, minCellMillivolts: 3200, maxCellMillivolts: 3400, minDecicelsius: 40, maxDecicelsius: 250)])
        // No `try` inside #expect: Swift 6.0.3's macro cannot expand it in a comparison.
        let stateTimes = try store.stateTimes(sinceDay: "2026-12-01")
        let nextDay = try store.extremes(sinceDay: "2026-12-02")
        let runs = try store.runs(since: 0)
        #expect(stateTimes.first?.seconds == 420.5)
        #expect(nextDay.isEmpty)
        #expect(runs.first?.lastSeen == 1_796_000_600)
    }

    @Test func runNeverStopped_isClosedAtItsLastSignOfLife_byTheNextStart() throws {
        let path = databasePath()
        defer { remove(path) }
        do {
            let first = try HistoryStore(path: path)
            try first.recordStart(at: 1_000)
            try first.record([RecordedChange(time: 1_010, output: "load", state: "on", rule: "start-up", battery: nil, reason: "LOAD on: all batteries report")])
        }
        let second = try HistoryStore(path: path)
        try second.recordStart(at: 2_000)
        try second.recordStop(at: 2_100, cause: "stop requested by signal")
        let runs = try second.runs(since: 0)
        #expect(runs.count == 2)
        #expect(runs[0].stopped == 1_010 && runs[0].exitCause == HistoryStore.uncleanCause)
        #expect(runs[1].stopped == 2_100 && runs[1].exitCause == "stop requested by signal")
        let fromStart = try second.changes(since: 1_005)
        let afterIt = try second.changes(since: 1_011)
        #expect(fromStart.map(\.rule) == ["start-up"])
        #expect(afterIt.isEmpty)
    }

    /// The writer killed with SIGKILL in the middle of its writes, over and over: the file
    /// reopens, passes `PRAGMA integrity_check`, keeps what was committed, and takes new writes.
    @Test func writerKilledDuringWrites_databaseReopensIntact() throws {
        let path = databasePath()
        defer { remove(path) }
        var committed = 0
        for round in 1...3 {
            let writer = Process()
            writer.executableURL = SmallBMSDBinary.url
            writer.arguments = ["history-soak", path]
            let pipe = Pipe()
            writer.standardOutput = pipe
            try writer.run()
            // "writing" once the first transaction is in; then more are under way when the kill lands.
            let first = pipe.fileHandleForReading.readData(ofLength: 8)
            #expect(String(decoding: first, as: UTF8.self) == "writing\n", "round \(round)")
            usleep(UInt32(150_000 + round * 70_000))
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
            #expect(writer.terminationReason == .uncaughtSignal)
            let store = try HistoryStore(path: path)
            let integrity = try store.integrityCheck()
            #expect(integrity == "ok")
            let changes = try store.changes(since: 0).count
            #expect(changes > committed, "round \(round): \(changes) rows after \(committed)")
            committed = changes
            // The killed run is closed as unclean by the next start, which writes fine.
            try store.recordStart(at: 2_000_000_000)
            // Each round leaves two unfinished runs (the killed writer's and this one), closed by the next start.
            let unclean = try store.runs(since: 0).filter { $0.exitCause == HistoryStore.uncleanCause }.count
            #expect(unclean == 2 * round - 1)
        }
    }
}

extension HistoryStoreTests {
    /// A power cut can tear the last write to the WAL: the file and its log as the killed writer
    /// left them, the log cut short at odd offsets (mid-frame), still open intact. SQLite's frame
    /// checksums drop the torn tail, so what reads back is a prefix of what was committed.
    @Test func tornWriteAheadLog_asAfterAPowerCut_reopensIntact() throws {
        let path = databasePath()
        defer { remove(path) }
        let writer = Process()
        writer.executableURL = SmallBMSDBinary.url
        writer.arguments = ["history-soak", path]
        let pipe = Pipe()
        writer.standardOutput = pipe
        try writer.run()
        _ = pipe.fileHandleForReading.readData(ofLength: 8)
        usleep(300_000)
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        let log = try #require(FileManager.default.contents(atPath: path + "-wal"))
        let main = try #require(FileManager.default.contents(atPath: path))
        #expect(log.count > 3 * 4120, "the writer left \(log.count) bytes of log")
        let whole = try copy(main, log, cutAt: log.count)
        defer { remove(whole) }
        let complete = try HistoryStore(path: whole).changes(since: 0).count
        // A power cut tears the frame being written, never one before it: a checkpoint syncs the log
        // before it copies frames into the database, so an earlier frame may already be in the main
        // file, and cutting the log there (as this test once did, at half its length) makes a state
        // no power cut can leave ("database disk image is malformed" when a checkpoint had run).
        let lastFrameStart = max(32, log.count - 4120)
        for cut in [log.count - 1, log.count - 4000, lastFrameStart + 24, lastFrameStart + 7] where cut > 32 {
            let torn = try copy(main, log, cutAt: cut)
            defer { remove(torn) }
            let store = try HistoryStore(path: torn)
            let integrity = try store.integrityCheck()
            let kept = try store.changes(since: 0).count
            #expect(integrity == "ok", "log cut at \(cut) of \(log.count)")
            #expect(kept <= complete)
        }
    }

    private func copy(_ main: Data, _ log: Data, cutAt cut: Int) throws -> String {
        let path = databasePath()
        try main.write(to: URL(fileURLWithPath: path))
        try log.prefix(cut).write(to: URL(fileURLWithPath: path + "-wal"))
        return path
    }
}

/// The `smallbmsd` binary `swift build` put next to the test bundle.
enum SmallBMSDBinary {
    static var url: URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("smallbmsd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/smallbmsd")
    }
}
