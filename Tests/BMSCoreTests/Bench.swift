import BMSCore

/// A controller on a virtual clock, as the daemon drives it: inputs at given seconds, timers
/// fired exactly when due (also between inputs), every output change recorded.
struct Bench {
    var controller: Controller
    private(set) var now: Instant = .origin
    private(set) var deadline: Instant?
    private(set) var changes: [OutputChange] = []
    private(set) var notices: [Notice] = []
    private var sequence = 0
    /// How long after each decision its changes reach the lines (as the daemon reports through
    /// `outputsApplied`); nil: never reported, as in replay.
    var writeLatency: Duration?

    init(_ configure: (inout Settings) -> Void = { _ in }) {
        var settings = Settings()
        configure(&settings)
        controller = Controller(settings: settings)
        take(controller.evaluate(at: .origin))
    }

    var settings: Settings { controller.settings }

    /// Lets time pass to `seconds`, firing every timer due on the way.
    mutating func advance(to seconds: Double) {
        let target = Instant.seconds(seconds)
        while let due = deadline, due <= target {
            take(controller.evaluate(at: due))
        }
        now = target
    }

    /// One sentence from `battery` at `seconds`.
    mutating func send(
        at seconds: Double, battery: Int = 1, cells: [Int], temperatures: [Int] = [250],
        flags: BatteryFlags = .normal
    ) {
        advance(to: seconds)
        let reading = BatteryReading(
            battery: battery, flags: flags, cellMillivolts: cells, temperatureDecicelsius: temperatures)
        take(controller.handle(.reading(reading), at: now))
    }

    /// One sentence a second from every battery, from `start` to `end` inclusive.
    mutating func hold(
        from start: Double, to end: Double, batteries: Int = 1, every interval: Double = 1,
        cells: (Double) -> [Int], temperatures: [Int] = [250], flags: BatteryFlags = .normal
    ) {
        var t = start
        while t <= end + 1e-9 {
            for battery in 1...batteries {
                send(at: t, battery: battery, cells: cells(t), temperatures: temperatures, flags: flags)
            }
            t += interval
        }
    }

    mutating func remote(on: Bool, at seconds: Double) {
        advance(to: seconds)
        take(controller.handle(.remote(on: on), at: now))
    }

    mutating func stateOfCharge(_ percent: Double, at seconds: Double) {
        advance(to: seconds)
        take(controller.handle(.stateOfCharge(percent: percent), at: now))
    }

    private mutating func take(_ decision: Decision) {
        changes += decision.changes
        notices += decision.notices
        deadline = decision.nextDeadline
        if let writeLatency, let first = decision.changes.first {
            deadline = controller.outputsApplied(decision.changes, at: first.at + writeLatency)
        }
    }

    func state(_ output: Output) -> OutputState { controller.outputLevels[output] }

    /// Seconds of the first change of `output` to `state` at or after `seconds`.
    func when(_ output: Output, _ state: OutputState, after seconds: Double = 0) -> Double? {
        changes.first { $0.output == output && $0.state == state && $0.at >= .seconds(seconds) }?.at.seconds
    }

    /// The change record itself.
    func change(_ output: Output, _ state: OutputState, after seconds: Double = 0) -> OutputChange? {
        changes.first { $0.output == output && $0.state == state && $0.at >= .seconds(seconds) }
    }

    func count(_ output: Output) -> Int { changes.filter { $0.output == output }.count }
}

/// Four cells: the first at `first` millivolts, the others healthy.
func fourCells(_ first: Int, others: Int = 3300) -> [Int] { [first, others, others, others] }

/// A bank started at T=0 with healthy data every second until `seconds`; outputs are on from T=5.
func startedBench(until seconds: Double = 10, _ configure: (inout Settings) -> Void = { _ in }) -> Bench {
    var bench = Bench(configure)
    let settings = bench.settings
    bench.hold(from: 0, to: seconds, batteries: settings.batteryCount) { _ in
        Array(repeating: 3300, count: settings.cellsPerBattery)
    }
    return bench
}

/// Milliseconds-exact comparison of instants given in seconds.
func same(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) < 0.0005
}
