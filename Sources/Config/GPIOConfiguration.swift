import BMSCore

/// The GPIO chip and the line of every output in use (`[gpio]` and its sub-tables).
public struct GPIOConfiguration: Sendable, Equatable {
    /// The chip: a name (`gpiochip0`), a `/dev` path, a chip label, or `simulated`.
    public var chip: String
    /// The line of each output in use. LOAD, CHARGER and PRE-ALARM are always present; an LED
    /// is present only when its table (`[gpio.led_load]`, `[gpio.led_temp_ovp]`) is in the file.
    public var outputs: [Output: OutputLineConfiguration]

    /// The chip name that selects in-process simulated lines instead of a kernel GPIO chip.
    public static let simulatedChip = "simulated"

    /// `true` when `chip = "simulated"`: no kernel GPIO chip is used.
    public var isSimulated: Bool { chip == GPIOConfiguration.simulatedChip }

    /// A GPIO configuration; by default `gpiochip0` with LOAD, CHARGER and PRE-ALARM on their
    /// default lines and no LEDs.
    public init(
        chip: String = "gpiochip0",
        outputs: [Output: OutputLineConfiguration] = GPIOConfiguration.defaultOutputs
    ) {
        self.chip = chip
        self.outputs = outputs
    }

    /// The three outputs every installation has, on their default lines, active high.
    public static let defaultOutputs: [Output: OutputLineConfiguration] = [
        .load: OutputLineConfiguration(line: defaultLine(for: .load)),
        .charger: OutputLineConfiguration(line: defaultLine(for: .charger)),
        .prealarm: OutputLineConfiguration(line: defaultLine(for: .prealarm)),
    ]

    /// The line an output uses when its table gives none (behaviour.md's wiring of the Pi header).
    public static func defaultLine(for output: Output) -> LineSelector {
        switch output {
        case .load: .name("GPIO17")
        case .charger: .name("GPIO27")
        case .prealarm: .name("GPIO22")
        case .ledLoad: .name("GPIO23")
        case .ledTempOVP: .name("GPIO24")
        }
    }
}
