import BMSCore
import Config
import Glibc
import Devices
import EdgeIO
import Status
import Systemd
import Testing

@Suite("GPIO factory")
struct GPIOFactoryTests {
    private let allOutputs: [Output: OutputLineConfiguration] = [
        .load: OutputLineConfiguration(line: .name("GPIO17")),
        .charger: OutputLineConfiguration(line: .name("GPIO27")),
        .prealarm: OutputLineConfiguration(line: .offset(22), activeLow: true),
        .ledLoad: OutputLineConfiguration(line: .name("GPIO23")),
    ]

    @Test("chip \"simulated\" gives simulated lines for the configured outputs and a remote that starts ON")
    func simulated() throws {
        let gpio = GPIOConfiguration(chip: "simulated", outputs: allOutputs)
        let (outputs, remote) = try GPIO.open(gpio, remote: RemoteConfiguration())
        defer { remote?.release() }
        #expect(outputs is SimulatedOutputLines)
        #expect(outputs.outputs == [.load, .charger, .prealarm, .ledLoad])
        let input = try #require(remote as? SimulatedRemoteInput)
        #expect(try input.isOn())

        var levels = OutputLevels.allOff
        levels[.load] = .on
        try outputs.drive(levels)
        #expect((outputs as? SimulatedOutputLines)?.levels[.load] == .on)
        #expect(outputs.releaseSafely().isEmpty)
        #expect((outputs as? SimulatedOutputLines)?.levels == .allOff)
    }

    @Test("remote mode always-on gives no remote input")
    func alwaysOn() throws {
        let gpio = GPIOConfiguration(chip: "simulated")
        let (outputs, remote) = try GPIO.open(gpio, remote: RemoteConfiguration(mode: .alwaysOn))
        #expect(remote == nil)
        #expect(outputs.outputs == [.load, .charger, .prealarm])
    }

    @Test("safe-state on a simulated chip has nothing to drive")
    func simulatedSafeState() {
        #expect(GPIO.driveSafeState(GPIOConfiguration(chip: "simulated"), consumer: "test").isEmpty)
    }

    @Test("a chip that does not exist is refused with its name and where to look", arguments: [
        "gpiochip77", "/dev/gpiochip77", "77",
    ])
    func missingChip(chip: String) {
        let gpio = GPIOConfiguration(chip: chip, outputs: allOutputs)
        do {
            _ = try GPIO.open(gpio, remote: RemoteConfiguration(), consumer: "smallbmsd-test")
            Issue.record("opened GPIO chip \(chip)")
        } catch {
            #expect(error.message.hasPrefix("GPIO chip \"\(chip)\" not found: check [gpio] chip"), "\(error)")
            #expect(error.message.contains("gpiodetect"), "\(error)")
        }
    }

    @Test("the message for a missing chip is the documented one")
    func missingChipWording() {
        do {
            _ = try GPIO.open(GPIOConfiguration(chip: "gpiochip77"), remote: RemoteConfiguration(mode: .alwaysOn))
            Issue.record("opened gpiochip77")
        } catch {
            #expect(error.message == #"GPIO chip "gpiochip77" not found: check [gpio] chip (a name like gpiochip0, "#
                + #"a path like /dev/gpiochip0, or a chip label; ls /dev/gpiochip* and gpiodetect list them)"#)
        }
    }

    @Test("an empty chip name is not taken for gpiochip0")
    func emptyChip() {
        #expect(throws: HardwareError.self) {
            _ = try GPIO.open(GPIOConfiguration(chip: ""), remote: RemoteConfiguration(mode: .alwaysOn))
        }
    }

    @Test("a device that is not a GPIO chip is named as such")
    func notAChip() {
        do {
            _ = try GPIO.open(GPIOConfiguration(chip: "/dev/null"), remote: RemoteConfiguration(mode: .alwaysOn))
            Issue.record("opened /dev/null as a GPIO chip")
        } catch {
            #expect(error.message.hasPrefix("\"/dev/null\" is not a GPIO chip"), "\(error)")
        }
    }

    @Test("safe-state on a missing chip reports it once, and does not throw")
    func missingChipSafeState() {
        let failures = GPIO.driveSafeState(GPIOConfiguration(chip: "gpiochip77", outputs: allOutputs), consumer: "t")
        #expect(failures.count == 1)
        #expect(failures.first?.message.hasPrefix("GPIO chip \"gpiochip77\" not found") == true)
    }
}
