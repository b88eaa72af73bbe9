import Testing
@testable import Config

@Suite("[recorder] and [history]")
struct RecordingConfigTests {
    @Test func emptyFile_recorderAndHistoryOnAtTheStateDirectory() throws {
        let configuration = try #require(accepted(""))
        #expect(configuration.recorder == RecorderConfiguration(
            enabled: true, directory: "/var/lib/smallbmsd/incidents", window: .seconds(600), after: .seconds(60), maxMegabytes: 50))
        #expect(configuration.recorder.maxBytes == 50_000_000)
        #expect(configuration.history == HistoryConfiguration(enabled: true, path: "/var/lib/smallbmsd/history.db", flushInterval: .seconds(300)))
    }

    @Test func tables_setEveryKey() throws {
        let configuration = try #require(accepted("""
            [recorder]
            enabled = false
            directory = "/srv/incidents"
            window_s = 120.5
            after_s = 0
            max_mb = 5
            [history]
            enabled = false
            path = "/srv/history.db"
            flush_s = 60
            """))
        #expect(configuration.recorder == RecorderConfiguration(
            enabled: false, directory: "/srv/incidents", window: .milliseconds(120_500), after: .zero, maxMegabytes: 5))
        #expect(configuration.history == HistoryConfiguration(enabled: false, path: "/srv/history.db", flushInterval: .seconds(60)))
    }

    @Test func outOfRange_refusedWithTheKeyAndItsRange() throws {
        let window = try #require(onlyProblem("[recorder]\nwindow_s = 0.5\n"))
        #expect(window.key == "recorder.window_s")
        #expect(window.message.contains("1") && window.message.contains("3600"), "\(window.message)")
        let size = try #require(onlyProblem("[recorder]\nmax_mb = 0\n"))
        #expect(size.key == "recorder.max_mb")
        let flush = try #require(onlyProblem("[history]\nflush_s = 1\n"))
        #expect(flush.key == "history.flush_s")
        let unknown = try #require(onlyProblem("[recorder]\nrecorder_window_s = 600\n"))
        #expect(unknown.message.contains("window_s"), "\(unknown.message)")
    }

    @Test func changedRecorderOrHistory_takesARestart() throws {
        let running = try #require(accepted(""))
        let fresh = try #require(accepted("[recorder]\nmax_mb = 10\n[history]\nflush_s = 60\n"))
        #expect(fresh.tablesNeedingRestart(comparedTo: running) == ["[recorder]", "[history]"])
    }
}
