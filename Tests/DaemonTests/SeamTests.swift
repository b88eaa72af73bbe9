import BMSCore
import Config
import Daemon
import EdgeIO
import Foundation
import Status
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The proof that the loop's seams are real: a source and a sink that exist only in this test
/// target run through the real `Daemon` loop, on a pipe, without any change to the daemon's code.
@Suite("A throwaway source and sink on the real loop")
struct SeamTests {
    @Test func throwawaySourceAndSink_drivenByTheRealLoop_seeStartUpFaultAndStop() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[1]) }
        let source = PipeLineSource(descriptor: ends[0])
        let sink = RecordingSink()

        var configuration = Configuration()
        configuration.gpio.chip = GPIOConfiguration.simulatedChip
        configuration.remote.mode = .alwaysOn
        configuration.settings.recoverDelay = .milliseconds(200)
        configuration.settings.confirmDelay = .milliseconds(100)
        var options = Daemon.Options(configPath: nil)
        options.handlesSignals = false
        options.statusInterval = .milliseconds(100)
        let stop = Mutex<StopHandle?>(nil)
        let finished = Mutex<Int32?>(nil)
        let (settled, runOptions) = (configuration, options)
        let loop = Thread {
            let daemon = Daemon(
                configuration: settled, options: runOptions, log: SilentLog(), sources: [source], sinks: [sink])
            stop.withLock { $0 = daemon.stopHandle }
            let status = daemon.run()
            finished.withLock { $0 = status }
        }
        loop.start()

        // Fresh readings every 50 ms: the outputs come on after recover_s.
        try writeEvery(ends[1], "3300 3300 3300 3300\n", for: .milliseconds(600))
        #expect(sink.changes.contains { $0.output == .load && $0.state == .on })
        #expect(sink.changes.contains { $0.output == .charger && $0.state == .on })
        // A reading with three cells is a rule-8 fault: LOAD and CHARGER off at once, PRE-ALARM on.
        try writeEvery(ends[1], "3300 3300 3300\n", for: .milliseconds(150))
        let fault = sink.changes.first { $0.output == .load && $0.state == .off }
        #expect(fault?.reason.text == "battery 1 reports 3 cells, expected 4")
        #expect(sink.changes.contains { $0.output == .prealarm && $0.state == .on })
        #expect(sink.heartbeats >= 3, "the 100 ms refresh reached the sink \(sink.heartbeats) times")
        #expect(source.heartbeats >= 3, "the 100 ms refresh reached the source \(source.heartbeats) times")

        stop.withLock { $0?.requestStop() }
        let deadline = Date().addingTimeInterval(5)
        while finished.withLock({ $0 }) == nil, Date() < deadline { usleep(10_000) }
        #expect(finished.withLock { $0 } == 0)
        #expect(sink.stoppedWithEveryOutputOff)
        #expect(source.stopped)
    }

    private func writeEvery(_ descriptor: Int32, _ line: String, for duration: Duration) throws {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            let bytes = Array(line.utf8)
            #expect(write(descriptor, bytes, bytes.count) == bytes.count)
            usleep(50_000)
        }
    }
}

/// A device that is a pipe carrying one battery's cells as text, one reading a line: known to this
/// test alone.
private final class PipeLineSource: ReadingSource, @unchecked Sendable {
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private let state = Mutex((heartbeats: 0, stopped: false))

    init(descriptor: Int32) {
        self.descriptor = descriptor
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    var heartbeats: Int { state.withLock { $0.heartbeats } }
    var stopped: Bool { state.withLock { $0.stopped } }

    var name: String { "test pipe" }
    var pollInterest: PollInterest? { PollInterest(descriptor: descriptor, events: Int16(POLLIN)) }
    var nextDeadline: Duration? { nil }
    func start(_ context: any SourceContext) {}
    func serveDeadline(_ context: any SourceContext) {}
    func heartbeat(_ context: any SourceContext) { state.withLock { $0.heartbeats += 1 } }
    func stop() { state.withLock { $0.stopped = true } }

    func serve(events: Int16, _ context: any SourceContext) {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return }
        pending += buffer[0..<count]
        while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let cells = String(decoding: pending[..<end], as: UTF8.self).split(separator: " ").compactMap { Int($0) }
            pending.removeSubrange(...end)
            context.deliver(.reading(BatteryReading(
                battery: 1, flags: .normal, cellMillivolts: cells, temperatureDecicelsius: [200])))
        }
    }
}

/// A sink that remembers what it was told.
private final class RecordingSink: DecisionSink, @unchecked Sendable {
    private let state = Mutex((changes: [OutputChange](), heartbeats: 0, stoppedOff: false))

    var changes: [OutputChange] { state.withLock { $0.changes } }
    var heartbeats: Int { state.withLock { $0.heartbeats } }
    var stoppedWithEveryOutputOff: Bool { state.withLock { $0.stoppedOff } }

    func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {
        state.withLock { $0.changes += changes }
    }

    func heartbeat(_ daemon: any DaemonState) { state.withLock { $0.heartbeats += 1 } }

    func stopped(_ daemon: any DaemonState) {
        let report = daemon.statusReport(stopping: true)
        let everyOff = Output.allCases.allSatisfy { report.outputs[$0].state == .off }
        state.withLock { $0.stoppedOff = everyOff && daemon.levels == .allOff }
    }
}

/// The daemon's own lines are not what this test looks at.
private final class SilentLog: EventLog, @unchecked Sendable {
    func log(_ priority: LogPriority, _ message: String, fields: [String: String]) {}
}
