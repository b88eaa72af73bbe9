import BMSCore

/// A controller whose outputs are all ON, fed healthy readings in battery order at 10 Hz per battery.
public struct SteadyBank {
    public var controller: Controller
    let readings: [BatteryReading]
    let step: Duration
    var now = Instant.origin
    var next = 0
    var changes = 0

    public init(batteries: Int, cells: Int) {
        var settings = Settings()
        settings.batteryCount = batteries
        settings.cellsPerBattery = cells
        controller = Controller(settings: settings, start: .origin)
        readings = (1...batteries).map { battery in
            BatteryReading(
                battery: battery, flags: .normal,
                cellMillivolts: (0..<cells).map { 3290 + ($0 * 7 + battery * 3) % 40 },
                temperatureDecicelsius: cells == 4 ? [215] : [251, 238])
        }
        // Every battery once per 100 ms.
        step = .milliseconds(100) / batteries
        // Six seconds of healthy data: started, recovered (recover_s is 5 s), every output ON.
        while now < .seconds(6) { handleNext() }
        for output in [Output.load, .charger] {
            precondition(controller.outputLevels[output] == .on, "\(output) is not ON after start-up")
        }
        changes = 0
    }

    public mutating func handleNext() {
        now = now + step
        let decision = controller.handle(.reading(readings[next]), at: now)
        next = next + 1 == readings.count ? 0 : next + 1
        changes &+= decision.changes.count
    }

    public mutating func evaluateNext() {
        // A timer firing with no new data; 100 ns of virtual time per call keeps every battery
        // fresh (comms_timeout_s is 3 s) for far more calls than a run makes.
        now = now + .nanoseconds(100)
        changes &+= controller.evaluate(at: now).changes.count
    }

    public func checkSteady() {
        precondition(changes == 0, "an output changed during the steady-state benchmark")
    }
}
