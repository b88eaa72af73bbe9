import BMSCore
import Config
import Dispatch
import EdgeIO
import Pipeline
import Recording

/// The flight recorder (`[recorder]`): keeps every input of the last `window_s + after_s` in
/// memory and, `after_s` past a trip (LOAD or CHARGER off, PRE-ALARM on), writes the incident
/// file `<UTC time>-<output>-<rule>.log` to `directory` on a queue of its own: rendered there,
/// written in one block, one fsync, then the oldest files go until `max_mb` holds.
///
/// On the loop each input costs an append to memory. A write that fails is said once in the
/// journal (and its recovery once); protection goes on either way.
public final class FlightRecorderSink: DecisionSink {
    private var recorder: FlightRecorder
    private let store: IncidentStore
    private let log: any EventLog
    private let wallClock: @Sendable () -> Double
    private let queue = DispatchQueue(label: "smallbmsd.recorder")
    private let writes = DispatchGroup()
    private let outcome = SinkWorkOutcome()
    private var failureReported = false
    /// The configuration at the open incident's first trip: its thresholds go in the header.
    private var configurationAtTrip: Configuration?

    /// A recorder as `configuration` says, reporting to `log`; `wallClock` names the files.
    public init(
        configuration: RecorderConfiguration, log: any EventLog,
        wallClock: @escaping @Sendable () -> Double = { SystemClock.wallClockSeconds() }
    ) {
        recorder = FlightRecorder(window: configuration.window, after: configuration.after)
        store = IncidentStore(directory: configuration.directory, maxBytes: configuration.maxBytes)
        self.log = log
        self.wallClock = wallClock
    }

    public func inputTaken(_ input: Controller.Input, at instant: Instant) {
        recorder.take(input, at: instant)
        if let incident = recorder.finished(at: instant) { write(incident) }
    }

    public func outputsChanged(_ changes: [OutputChange], _ daemon: any DaemonState) {
        guard changes.contains(where: FlightRecorder.isTrip) else { return }
        if !recorder.isCapturing { configurationAtTrip = daemon.configuration }
        recorder.outputsChanged(changes, wallClockSeconds: wallClock())
        // With after_s = 0 the incident is complete at once.
        if let incident = recorder.finished(at: daemon.now.core) { write(incident) }
    }

    public func heartbeat(_ daemon: any DaemonState) {
        // A silent bus (a data fault) brings no inputs: the refresh closes the incident then.
        if let incident = recorder.finished(at: daemon.now.core) { write(incident) }
        report()
    }

    public func stopped(_ daemon: any DaemonState) {
        if let incident = recorder.finishNow() { write(incident) }
        // The lines are already OFF and released: waiting here delays only the exit.
        _ = writes.wait(timeout: .now() + .seconds(5))
        report()
    }

    private func write(_ incident: Incident) {
        let configuration = configurationAtTrip ?? Configuration()
        configurationAtTrip = nil
        let store = store
        let outcome = outcome
        queue.async(group: writes) {
            let bytes = IncidentFile.render(incident, settingsText: configuration.effectiveSettingsText())
            do {
                let (name, removed) = try store.write(name: incident.fileName, bytes: bytes)
                var notes = ["incident recorded: \(store.directory)/\(name) (\(bytes.count) bytes; smallbmsd replay \(name))"]
                if !removed.isEmpty { notes.append("incidents over [recorder] max_mb: removed the oldest, \(removed.joined(separator: ", "))") }
                outcome.finished(failure: nil, notes: notes)
            } catch {
                outcome.finished(failure: "\(error)")
            }
        }
    }

    private func report() {
        let report = outcome.take()
        for note in report.notes { log.log(.notice, note) }
        guard report.finishedAny else { return }
        if let failure = report.failure {
            if !failureReported {
                log.log(.warning, "\(failure); protection goes on, but this incident is not recorded")
                failureReported = true
            }
        } else if failureReported {
            log.log(.notice, "incidents can be recorded again in \(store.directory)")
            failureReported = false
        }
    }
}
