import BMSCore
import Config
import EdgeIO

/// Kernel GPIO through libgpiod, written once for both generations over a ``LibgpiodChip``.
enum KernelGPIO<Chip: LibgpiodChip> {
    /// Requests the outputs (OFF) and, when `remote` is given, the debounced remote input, all on
    /// `gpio.chip`; holds nothing when it throws.
    static func open(_ gpio: GPIOConfiguration, remote: RemoteConfiguration?, consumer: String)
        throws(HardwareError) -> (outputs: any OutputLines, remote: (any RemoteInput)?)
    {
        let chip = try Chip(gpio.chip)
        let outputs = try KernelOutputLines(chip: chip, gpio: gpio, consumer: consumer)
        guard let remote else { return (outputs, nil) }
        do throws(HardwareError) {
            let input = try chip.requestRemoteInput(remote, outputs: outputs, consumer: consumer)
            return (outputs, input)
        } catch {
            _ = outputs.releaseSafely()
            throw error
        }
    }

    /// Requests each output OFF, confirms it, releases it; best effort over all lines.
    static func driveSafeState(_ gpio: GPIOConfiguration, consumer: String) -> [HardwareError] {
        let chip: Chip
        do {
            chip = try Chip(gpio.chip)
        } catch {
            return [error]
        }
        var failures: [HardwareError] = []
        for output in GPIO.configuredOutputs(gpio) {
            guard let configuration = gpio.outputs[output] else { continue }
            do throws(HardwareError) {
                let line = try chip.requestOutputOff(output, configuration, consumer: consumer)
                defer { line.release() }
                if let failure = line.confirmOff(output: output, selector: configuration.line, chip: chip.name) {
                    failures.append(failure)
                }
            } catch {
                failures.append(error)
            }
        }
        return failures
    }
}

#if LIBGPIOD_V2
/// The libgpiod generation this build links (Package.swift sets `LIBGPIOD_V2` from pkg-config).
typealias SelectedGPIO = KernelGPIO<GPIOD2Chip>
#else
/// The libgpiod generation this build links (Package.swift sets `LIBGPIOD_V2` from pkg-config).
typealias SelectedGPIO = KernelGPIO<GPIOD1Chip>
#endif
