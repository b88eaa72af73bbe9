/// The rule set of behaviour.md as one state machine: inputs and `now` go in, output levels,
/// reasons and the next deadline come out.
///
/// No I/O and no clock: the daemon, `replay` and `demo` all drive this same type, and tests
/// advance time by passing later instants. Call `handle` for every input and `evaluate` when
/// the last decision's `nextDeadline` is reached; both return the resulting ``Decision``.
public struct Controller: Sendable {
    /// An input to the rules.
    public enum Input: Sendable, Hashable {
        /// A fresh sentence from a battery (repeats are dropped by the bus decoder).
        case reading(BatteryReading)
        /// The debounced remote on/off input changed (rule 1).
        case remote(on: Bool)
        /// A state of charge from a VE.Direct battery monitor, in percent (rule 10).
        case stateOfCharge(percent: Double)
    }

    /// The settings this controller runs with.
    public private(set) var settings: Settings

    private var rules: RuleTable
    private var delays: Delays
    private var bank: BankData
    private var links: BatteryLinks
    private var remoteOn = true
    private var remoteChangedAt: Instant
    private var underVoltage: Latch
    private var prealarm: Latch
    private var charge: Latch
    private var startedAt: Instant?
    private var fault: Reason?
    private var faultEverRaised = false
    private var faultEndedAt: Instant?
    private var healthySince: Instant?
    private var levels = OutputLevels.allOff
    private var outputSince: [Output: Instant] = [:]
    private var outputReason: [Output: Reason] = [:]
    private var lastEvaluation: Instant
    private var notices: [Notice] = []
    private var reportedForeignBatteries = Set<Int>()

    /// Sentences from a battery number above `batteries` (or below 1), ignored.
    public private(set) var foreignBatterySentences = 0

    /// A controller whose outputs are all off, started at `start` (a battery that never reports
    /// is missing from `start + comms_timeout_s` on).
    public init(settings: Settings, start: Instant = .origin) {
        self.settings = settings
        rules = RuleTable(settings: settings)
        delays = Delays(settings)
        bank = BankData(batteryCount: settings.batteryCount)
        links = BatteryLinks(count: settings.batteryCount, start: start)
        remoteChangedAt = start
        underVoltage = Latch(rule: rules.underVoltage)
        prealarm = Latch(rule: rules.prealarm)
        charge = Latch(rule: rules.charge)
        lastEvaluation = start
    }

    // MARK: - Inputs

    /// Takes in one input received at `now` and evaluates the rules at `now`.
    public mutating func handle(_ input: Input, at now: Instant) -> Decision {
        let now = max(now, lastEvaluation)
        switch input {
        case .reading(let reading):
            ingest(reading, at: now)
        case .remote(let on):
            if on != remoteOn {
                remoteOn = on
                remoteChangedAt = now
            }
        case .stateOfCharge(let percent):
            guard settings.stateOfCharge != nil, percent.isFinite else { break }
            bank.stateOfChargePercent = percent
            observeData(at: now)
        }
        return evaluate(at: now)
    }

    private mutating func ingest(_ reading: BatteryReading, at now: Instant) {
        guard (1...settings.batteryCount).contains(reading.battery) else {
            foreignBatterySentences += 1
            if reportedForeignBatteries.insert(reading.battery).inserted {
                notices.append(Notice(
                    severity: .warning,
                    text: "battery \(reading.battery) reports, but batteries = \(settings.batteryCount): its sentences are ignored",
                    battery: reading.battery))
            }
            return
        }
        let index = reading.battery - 1
        if let problem = implausibility(of: reading) {
            links.setProblem(problem, at: index)
            return
        }
        links.markFresh(at: index, now)
        bank.record(reading, at: index)
        observeData(at: now)
    }

    /// Why a reading cannot be trusted (rule 8), or nil when it is plausible.
    @inline(__always)
    private func implausibility(of reading: BatteryReading) -> Reason? {
        let battery = reading.battery
        let expectedCells = settings.cells(ofBattery: battery)
        if reading.cellMillivolts.count != expectedCells {
            return Reason(
                rule: .dataFault,
                text: "battery \(battery) reports \(reading.cellMillivolts.count) cells, expected \(expectedCells)",
                battery: battery)
        }
        let cells = Settings.plausibleCellMillivolts
        if let index = reading.cellMillivolts.firstIndex(where: { !cells.contains($0) }) {
            return Reason(
                rule: .dataFault,
                text: "battery \(battery) cell \(index + 1) \(voltsText(millivolts: reading.cellMillivolts[index])) is implausible (a LiFePO4 cell shows \(voltsText(millivolts: cells.lowerBound)) to \(voltsText(millivolts: cells.upperBound)))",
                battery: battery, cell: index + 1)
        }
        let temperatures = Settings.plausibleDecicelsius
        if let index = reading.temperatureDecicelsius.firstIndex(where: { !temperatures.contains($0) }) {
            return Reason(
                rule: .dataFault,
                text: "battery \(battery) temperature \(index + 1) \(celsiusText(decicelsius: reading.temperatureDecicelsius[index])) is implausible (\(celsiusText(decicelsius: temperatures.lowerBound)) to \(celsiusText(decicelsius: temperatures.upperBound)))",
                battery: battery)
        }
        return nil
    }

    private mutating func observeData(at now: Instant) {
        underVoltage.observe(bank, at: now)
        prealarm.observe(bank, at: now)
        charge.observe(bank, at: now)
    }

    /// Takes new settings (a config reload) without forgetting what is known: outputs keep
    /// their levels and the latches their state; every condition is read again under the new
    /// thresholds as from `now`, so a new trip still waits its `confirm_s`.
    public mutating func reconfigure(_ newSettings: Settings, at now: Instant) {
        let now = max(now, lastEvaluation)
        settings = newSettings
        rules = RuleTable(settings: newSettings)
        delays = Delays(newSettings)
        let count = newSettings.batteryCount
        bank.resize(to: count)
        if newSettings.stateOfCharge == nil { bank.stateOfChargePercent = nil }
        // A battery added by the reload gets a full comms timeout to speak up.
        links.resize(to: count, at: now)
        for index in links.indices where bank.readings[index] != nil
            && bank.readings[index]!.cellMillivolts.count != newSettings.cells(ofBattery: index + 1) {
            links.setProblem(implausibility(of: bank.readings[index]!), at: index)
        }
        underVoltage = Latch(rule: rules.underVoltage, carryingStateOf: underVoltage)
        prealarm = Latch(rule: rules.prealarm, carryingStateOf: prealarm)
        charge = Latch(rule: rules.charge, carryingStateOf: charge)
        observeData(at: now)
    }

    /// The daemon drove `changes` (the last decision's) onto the lines at `instant`, a little after
    /// the decision. Their outputs count as changed from then on, so the pre-alarm lead is timed from
    /// the moment PRE-ALARM reached its line: on the wire LOAD can never follow it by less than
    /// `prealarm_lead_s`, however long the write took. Returns the next deadline, which may have
    /// moved with it. Replay and tests, which have no lines, need not call it.
    public mutating func outputsApplied(_ changes: [OutputChange], at instant: Instant) -> Instant? {
        for change in changes where outputSince[change.output] == change.at && instant > change.at {
            outputSince[change.output] = instant
        }
        return nextDeadline(after: max(instant, lastEvaluation))
    }

    // MARK: - Evaluation

    /// Evaluates the rules at `now` with no new input: timers that are due fire here.
    public mutating func evaluate(at requested: Instant) -> Decision {
        let now = max(requested, lastEvaluation)
        lastEvaluation = now
        var changes: [OutputChange] = []

        updateHealth(at: now)
        let confirm = delays.confirm
        let recover = delays.recover
        _ = underVoltage.advance(to: now, bank: bank, confirm: confirm, recover: recover)
        _ = prealarm.advance(to: now, bank: bank, confirm: confirm, recover: recover)
        _ = charge.advance(to: now, bank: bank, confirm: confirm, recover: recover)

        // Order matters: LOAD reads how long PRE-ALARM has been on, the LEDs follow LOAD and CHG.
        decidePrealarm(at: now, into: &changes)
        decideLoad(at: now, into: &changes)
        decideCharger(at: now, into: &changes)
        decideLEDs(at: now, into: &changes)

        let decision = Decision(
            levels: levels, changes: changes, notices: notices, nextDeadline: nextDeadline(after: now))
        // Not removeAll(keepingCapacity:): the decision shares the buffer, so that would allocate
        // a fresh one on every evaluation.
        if !notices.isEmpty { notices = [] }
        return decision
    }

    private var started: Bool { startedAt != nil }

    /// Whether the outputs may be on: remote ON, started, no fault, healthy for `recover_s`.
    private func gate(at now: Instant) -> Bool {
        guard remoteOn, let healthySince else { return false }
        return now.nanoseconds(since: healthySince) >= delays.recover
    }

    private mutating func updateHealth(at now: Instant) {
        let current = currentFault(at: now)
        if (current == nil) != (fault == nil) {
            if let current {
                faultEverRaised = true
                notices.append(Notice(severity: .warning, text: "fault: \(current.text)", battery: current.battery))
            } else {
                faultEndedAt = now
                notices.append(Notice(severity: .info, text: "fault cleared: every battery fresh and plausible"))
            }
        }
        fault = current
        if startedAt == nil, links.allReported {
            startedAt = now
            let count = settings.batteryCount
            notices.append(Notice(severity: .info, text: "start-up: \(count == 1 ? "the battery" : "all \(count) batteries") reporting"))
        }
        let healthy = started && fault == nil
        if !healthy {
            healthySince = nil
        } else if healthySince == nil {
            healthySince = now
        }
    }

    /// The first reason for rule 8 at `now`: a bad latest sentence, then a silent battery.
    @inline(__always)
    private func currentFault(at now: Instant) -> Reason? {
        // By index, and with the timeout subtracted once: this runs on every input, for every battery.
        if let problem = links.firstProblem { return problem }
        let silentBefore = now.advanced(byNanoseconds: -delays.commsTimeout)
        let ownTimeouts = !delays.commsTimeoutByBattery.isEmpty
        for index in links.indices where ownTimeouts
            ? now.nanoseconds(since: links.lastFresh[index]) >= delays.commsTimeoutByBattery[index]
            : links.lastFresh[index] <= silentBefore {
            let silence = secondsText(now - links.lastFresh[index])
            let text = links.hasReported[index]
                ? "battery \(index + 1) sent no fresh valid data for \(silence)"
                : "no data from battery \(index + 1) since start (\(silence))"
            return Reason(rule: .dataFault, text: text, battery: index + 1)
        }
        return nil
    }

    private mutating func decidePrealarm(at now: Instant, into changes: inout [OutputChange]) {
        let faultEndedRecently = faultEndedAt.map { now.nanoseconds(since: $0) < delays.recover } ?? false
        let wanted = remoteOn
            && (fault != nil || (started && (prealarm.isSet || underVoltage.isSet || faultEndedRecently)))
        guard wanted != (levels[.prealarm] == .on) else { return }
        let reason: Reason
        if wanted {
            reason = fault ?? prealarm.setReason ?? underVoltage.setReason
                ?? Reason(rule: .remote, text: "remote on, battery data recovered less than \(secondsText(settings.recoverDelay)) ago")
        } else {
            reason = offReason(at: now) ?? latest([
                (prealarm.clearReason, prealarm.clearedAt),
                (underVoltage.clearReason, underVoltage.clearedAt),
                (recoveredReason(), faultEndedAt.map { $0.advanced(byNanoseconds: delays.recover) }),
            ]) ?? Reason(rule: .prealarm, text: "no pre-alarm condition")
        }
        set(.prealarm, wanted ? .on : .off, at: now, reason: reason, into: &changes)
    }

    private mutating func decideLoad(at now: Instant, into changes: inout [OutputChange]) {
        if levels[.load] == .on {
            var reason = offReason(at: now) ?? underVoltage.immediateTrip
            if reason == nil, underVoltage.isSet, levels[.prealarm] == .on, let raised = outputSince[.prealarm],
               now.nanoseconds(since: raised) >= delays.prealarmLead, let cause = underVoltage.setReason {
                reason = Reason(
                    rule: cause.rule, text: "\(cause.text), pre-alarm raised \(secondsText(now - raised)) ago",
                    battery: cause.battery, cell: cause.cell)
            }
            if let reason { set(.load, .off, at: now, reason: reason, into: &changes) }
        } else if gate(at: now), !underVoltage.isSet {
            set(.load, .on, at: now, reason: onReason(latch: underVoltage), into: &changes)
        }
    }

    private mutating func decideCharger(at now: Instant, into changes: inout [OutputChange]) {
        let wanted = gate(at: now) && !charge.isSet
        guard wanted != (levels[.charger] == .on) else { return }
        if wanted {
            set(.charger, .on, at: now, reason: onReason(latch: charge), into: &changes)
        } else {
            let reason = offReason(at: now) ?? charge.setReason ?? Reason(rule: .overVoltage, text: "charge not allowed")
            set(.charger, .off, at: now, reason: reason, into: &changes)
        }
    }

    private mutating func decideLEDs(at now: Instant, into changes: inout [OutputChange]) {
        if levels[.ledLoad] != levels[.load], let reason = outputReason[.load] {
            set(.ledLoad, levels[.load], at: now, reason: reason, into: &changes)
        }
        let wanted = remoteOn && started && fault == nil && charge.isSet
        guard wanted != (levels[.ledTempOVP] == .on) else { return }
        let reason = wanted
            ? charge.setReason
            : (offReason(at: now) ?? charge.clearReason)
        set(.ledTempOVP, wanted ? .on : .off, at: now,
            reason: reason ?? Reason(rule: .overVoltage, text: "charge allowed"), into: &changes)
    }

    /// The reason every output must be off right now whatever the thresholds say: remote off or a fault.
    private func offReason(at now: Instant) -> Reason? {
        if !remoteOn { return Reason(rule: .remote, text: "remote off") }
        return fault
    }

    /// Why an output may come on now: the latest of the obstacles that went away.
    private func onReason(latch: Latch) -> Reason {
        latest([
            (remoteOn ? Reason(rule: .remote, text: "remote on") : nil, remoteChangedAt),
            (recoveredReason(), healthySince.map { $0.advanced(byNanoseconds: delays.recover) }),
            (latch.clearReason, latch.clearedAt),
        ]) ?? recoveredReason()
    }

    private func recoveredReason() -> Reason {
        let delay = secondsText(settings.recoverDelay)
        if faultEverRaised { return Reason(rule: .startUp, text: "every battery fresh and plausible for \(delay)") }
        let count = settings.batteryCount
        return Reason(rule: .startUp, text: "start-up: \(count == 1 ? "the battery" : "all \(count) batteries") reporting, healthy for \(delay)")
    }

    private func latest(_ candidates: [(Reason?, Instant?)]) -> Reason? {
        var best: (Reason, Instant)?
        for case let (reason?, instant?) in candidates where best == nil || instant > best!.1 {
            best = (reason, instant)
        }
        return best?.0
    }

    private mutating func set(
        _ output: Output, _ state: OutputState, at now: Instant, reason: Reason, into changes: inout [OutputChange]
    ) {
        levels[output] = state
        outputSince[output] = now
        outputReason[output] = reason
        changes.append(OutputChange(output: output, state: state, at: now, reason: reason))
    }

    /// The earliest instant after `now` at which a timer is due.
    /// Runs on every input, so it keeps a running minimum rather than building a list of candidates.
    @inline(__always)
    private func nextDeadline(after now: Instant) -> Instant? {
        var earliest: Instant?
        func consider(_ candidate: Instant?) {
            guard let candidate, candidate > now else { return }
            if earliest == nil || candidate < earliest! { earliest = candidate }
        }
        consider(underVoltage.deadline(confirm: delays.confirm, recover: delays.recover))
        consider(prealarm.deadline(confirm: delays.confirm, recover: delays.recover))
        consider(charge.deadline(confirm: delays.confirm, recover: delays.recover))
        consider(healthySince.map { $0.advanced(byNanoseconds: delays.recover) })
        consider(faultEndedAt.map { $0.advanced(byNanoseconds: delays.recover) })
        if levels[.load] == .on, underVoltage.isSet, let raised = outputSince[.prealarm], levels[.prealarm] == .on {
            consider(raised.advanced(byNanoseconds: delays.prealarmLead))
        }
        // Every battery's freshness deadline: the earliest is the oldest lastFresh.
        var oldestFresh: Instant?
        for index in links.indices where links.isTrusted(index) {
            let lastFresh = links.lastFresh[index]
            if oldestFresh == nil || lastFresh < oldestFresh! { oldestFresh = lastFresh }
        }
        // A later link's deadline can only matter if the oldest one's is not after `now`
        // (with one timeout for all; batteries with their own timeouts are each considered).
        if !delays.commsTimeoutByBattery.isEmpty {
            for index in links.indices where links.isTrusted(index) {
                consider(links.lastFresh[index].advanced(byNanoseconds: delays.commsTimeoutByBattery[index]))
            }
        } else if let oldestFresh, oldestFresh.advanced(byNanoseconds: delays.commsTimeout) > now {
            consider(oldestFresh.advanced(byNanoseconds: delays.commsTimeout))
        } else {
            for index in links.indices where links.isTrusted(index) {
                consider(links.lastFresh[index].advanced(byNanoseconds: delays.commsTimeout))
            }
        }
        return earliest
    }

    // MARK: - What it sees

    /// The current level of every output.
    public var outputLevels: OutputLevels { levels }

    /// What the controller sees and decided, for the status file and `smallbmsd status`.
    public func snapshot(at now: Instant) -> ControllerSnapshot {
        ControllerSnapshot(
            remoteOn: remoteOn,
            started: started,
            fault: fault,
            outputs: Output.allCases.map { output in
                ControllerSnapshot.OutputStatus(
                    output: output, state: levels[output], since: outputSince[output], reason: outputReason[output])
            },
            batteries: links.indices.map { index in
                let lastFresh = links.lastFresh[index]
                return ControllerSnapshot.BatteryStatus(
                    battery: index + 1, reading: bank.readings[index],
                    age: links.hasReported[index] ? now - lastFresh : nil,
                    problem: links.problems[index] ?? (now - lastFresh >= settings.commsTimeout(ofBattery: index + 1)
                        ? Reason(rule: .dataFault, text: "no fresh valid data for \(secondsText(now - lastFresh))", battery: index + 1)
                        : nil))
            },
            latches: [
                ControllerSnapshot.LatchStatus(name: underVoltage.rule.name, isSet: underVoltage.isSet, reason: underVoltage.setReason),
                ControllerSnapshot.LatchStatus(name: prealarm.rule.name, isSet: prealarm.isSet, reason: prealarm.setReason),
                ControllerSnapshot.LatchStatus(name: charge.rule.name, isSet: charge.isSet, reason: charge.setReason),
            ],
            stateOfChargePercent: bank.stateOfChargePercent,
            foreignBatterySentences: foreignBatterySentences)
    }
}
