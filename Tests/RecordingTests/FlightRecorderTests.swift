import BMSCore
import Config
import M8Bus
import Pipeline
import Testing

/// The recorder's ring, its incidents, and the file format's round trip through `replay`'s runner.
@Suite("Flight recorder: ring, incident, file")
struct FlightRecorderTests {
    private func reading(_ cells: [Int], battery: Int = 1) -> Controller.Input {
        .reading(BatteryReading(battery: battery, flags: .normal, cellMillivolts: cells, temperatureDecicelsius: [250]))
    }

    private func change(_ output: Output, _ state: OutputState, at seconds: Double) -> OutputChange {
        OutputChange(output: output, state: state, at: .seconds(seconds), reason: Reason(rule: .underVoltage, text: "test", battery: 1))
    }

    // 1796000000 s after the epoch is 2026-11-30T00:53:20Z (date -u -d @1796000000).
    @Test func trip_incidentHoldsTheWindowBeforeAndTheAfterPart_thenCloses() {
        var recorder = FlightRecorder(window: .seconds(10), after: .seconds(2))
        for tenth in 0...300 { recorder.take(reading([3300, 3300, 3300, 3300]), at: .milliseconds(Int64(tenth) * 100)) }
        recorder.outputsChanged([change(.load, .off, at: 30)], wallClockSeconds: 1_796_000_000)
        #expect(recorder.isCapturing)
        for tenth in 301...319 { recorder.take(reading([2700, 3300, 3300, 3300]), at: .milliseconds(Int64(tenth) * 100)) }
        #expect(recorder.finished(at: .seconds(31.9)) == nil)
        recorder.take(reading([2700, 3300, 3300, 3300]), at: .seconds(32))
        let incident = recorder.finished(at: .seconds(32))
        #expect(incident?.start == .seconds(20))
        #expect(incident?.entries.first?.at == .seconds(20))
        #expect(incident?.entries.last?.at == .seconds(32))
        #expect(incident?.entries.count == 121)
        #expect(incident?.fileName == "20261130T005320Z-load-under-voltage.log")
        #expect(!recorder.isCapturing)
    }

    @Test func notTrips_outputsComingOnOrPrealarmClearing_recordNothing() {
        var recorder = FlightRecorder(window: .seconds(10), after: .seconds(0))
        recorder.outputsChanged([change(.load, .on, at: 1), change(.prealarm, .off, at: 1), change(.ledLoad, .off, at: 1)], wallClockSeconds: 0)
        #expect(!recorder.isCapturing)
        recorder.outputsChanged([change(.prealarm, .on, at: 2)], wallClockSeconds: 0)
        #expect(recorder.finished(at: .seconds(2))?.trips.count == 1)
    }

    @Test func tripsDuringTheAfterPart_joinTheSameIncident() {
        var recorder = FlightRecorder(window: .seconds(5), after: .seconds(3))
        recorder.outputsChanged([change(.prealarm, .on, at: 10)], wallClockSeconds: 0)
        recorder.outputsChanged([change(.load, .off, at: 12)], wallClockSeconds: 0)
        let incident = recorder.finished(at: .seconds(13))
        #expect(incident?.trips.map(\.output) == [.prealarm, .load])
    }

    @Test func ring_longRun_keepsOnlyWindowPlusAfter_andRemembersTheRemoteStateBeforeIt() {
        var recorder = FlightRecorder(window: .seconds(10), after: .seconds(5))
        recorder.take(.remote(on: false), at: .seconds(1))
        recorder.take(.stateOfCharge(percent: 42.5), at: .seconds(2))
        for second in 3...10_000 { recorder.take(reading([3300, 3300, 3300, 3300]), at: .seconds(Double(second))) }
        #expect(recorder.count == 16)
        recorder.outputsChanged([change(.charger, .off, at: 10_000)], wallClockSeconds: 0)
        recorder.take(reading([3300, 3300, 3300, 3300]), at: .seconds(10_005))
        let incident = recorder.finished(at: .seconds(10_005))
        #expect(incident?.remoteAtStart == false)
        #expect(incident?.stateOfChargeAtStart == 42.5)
    }

    @Test func packedInputs_everyKind_decodeToWhatWasTaken() {
        let entries = [
            FlightRecorder.Entry(at: .milliseconds(1), input: .reading(BatteryReading(
                battery: 20, flags: BatteryFlags(rawValue: 0x05), cellMillivolts: [0, 2799, 3650, 65535, 3300, 3301, 3302, 3303],
                temperatureDecicelsius: [-400, -5, 1500]))),
            FlightRecorder.Entry(at: Instant(sinceOrigin: .nanoseconds(1_234_567_891)), input: .remote(on: false)),
            FlightRecorder.Entry(at: .seconds(2), input: .stateOfCharge(percent: 14.567)),
            FlightRecorder.Entry(at: .seconds(3), input: .remote(on: true)),
            FlightRecorder.Entry(at: .seconds(4), input: .reading(BatteryReading(battery: 1, flags: .normal, cellMillivolts: [3300], temperatureDecicelsius: []))),
        ]
        let packed = PackedInputs(entries)
        #expect(packed.entries == entries)
        // 8 cells and 3 temperatures: 8 + 1 + 3 + 16 + 1 + 6 bytes.
        #expect(packed.offset(after: 0) == 35)
    }

    /// The heaviest bank the config allows at ten times the adapter's rate: 132,000 readings.
    @Test func ring_twentyBatteriesOfEightCellsAt10Hz_holdsElevenMinutesInUnder6MB() {
        var recorder = FlightRecorder(window: .seconds(600), after: .seconds(60))
        let cells = [3300, 3301, 3302, 3303, 3304, 3305, 3306, 3307]
        var most = 0
        for tick in 0..<(800 * 10) {
            for battery in 1...20 {
                recorder.take(reading(cells, battery: battery), at: .milliseconds(Int64(tick) * 100))
            }
            most = max(most, recorder.bytesHeld)
        }
        #expect(recorder.count == 20 * 6601)
        print("ring: \(recorder.count) readings of 8 cells live, at most \(most) bytes held")
        #expect(most < 6_000_000, "\(most) bytes")
    }

    @Test func header_rendered_readsBackTheTripAndTheSettings() throws {
        var configuration = Configuration()
        configuration.settings.batteryCount = 4
        configuration.settings.prealarmMillivolts = 3050
        let trip = OutputChange(
            output: .load, state: .off, at: .seconds(600.25),
            reason: Reason(rule: .criticalFloor, text: "battery 3 cell 2 2.40 V < 2.50 V \"now\"", battery: 3, cell: 2))
        let incident = Incident(
            trips: [trip, change(.prealarm, .on, at: 600.5)], wallClockSeconds: 1_796_000_000, start: .seconds(0.25),
            end: .seconds(660.25), remoteAtStart: true, stateOfChargeAtStart: nil, inputs: PackedInputs())
        let bytes = IncidentFile.render(incident, settingsText: configuration.effectiveSettingsText())
        let header = try #require(IncidentHeader(parsing: bytes))
        #expect(header.time == "2026-11-30T00:53:20Z")
        #expect(header.output == "load" && header.state == "off" && header.rule == "critical-floor" && header.battery == 3)
        #expect(header.reason == "LOAD off: battery 3 cell 2 2.40 V < 2.50 V \"now\"")
        #expect(header.offsetText == "600.000000")
        #expect(header.laterTrips.count == 1)
        let settings = try ConfigurationLoader.parse(header.settingsText, file: "header").settings
        #expect(settings == configuration.settings)
        #expect(IncidentHeader(parsing: Array("0.0 remote on\n".utf8)) == nil)
    }

    /// A discharge run through the rules as `replay` runs them; the recorder sees the same inputs
    /// and changes. Its incident file, replayed alone, gives the trip at the offset it names.
    @Test func incidentFile_replayedAlone_givesTheRecordedTransitionAtTheSameOffset() throws {
        var configuration = Configuration()
        configuration.settings.batteryCount = 2
        var live = Controller(settings: configuration.settings, start: .origin)
        var recorder = FlightRecorder(window: .seconds(60), after: .seconds(10))
        var recorded: [OutputChange] = []
        var incident: Incident?
        var deadline = live.evaluate(at: .origin).nextDeadline
        for step in 0..<3000 {
            let now = Instant.milliseconds(Int64(step) * 250 + 7)
            // Fires the timers due before this input, as the daemon's loop does.
            while let due = deadline, due <= now {
                let decision = live.evaluate(at: due)
                deadline = decision.nextDeadline
                recorder.outputsChanged(decision.changes, wallClockSeconds: 1_796_000_000)
                recorded += decision.changes
            }
            let battery = step % 2 + 1
            // Battery 2's cell 3 sags from 3.30 V by 1 mV a second step after 200 s.
            let sag = battery == 2 && step > 800 ? (step - 800) / 2 : 0
            let input = reading([3300, 3310, 3300 - sag, 3290], battery: battery)
            recorder.take(input, at: now)
            let decision = live.handle(input, at: now)
            deadline = decision.nextDeadline
            recorder.outputsChanged(decision.changes, wallClockSeconds: 1_796_000_000)
            recorded += decision.changes
            if let done = recorder.finished(at: now) { incident = incident ?? done }
        }
        let captured = try #require(incident, "no trip in \(recorded.map(\.journalText))")
        let trip = captured.trips[0]
        let file = IncidentFile.render(captured, settingsText: configuration.effectiveSettingsText())
        let header = try #require(IncidentHeader(parsing: file))
        let settings = try ConfigurationLoader.parse(header.settingsText, file: "header").settings
        var runner = ReplayRunner(settings: settings)
        var replayed: [OutputChange] = []
        try runner.run(log: file) { replayed.append($0) }
        let same = try #require(replayed.first { $0.output == trip.output && $0.state == trip.state })
        #expect(same.reason == trip.reason)
        let offset = try #require(Double(header.offsetText))
        #expect(abs((same.at - .origin).secondsValue - offset) < 0.000_002, "\(same.at) vs \(offset)")
        #expect((trip.at - captured.start).secondsValue == 60)
        #expect(runner.counters.repeats == 0 && runner.counters.bad == 0)
    }
}
