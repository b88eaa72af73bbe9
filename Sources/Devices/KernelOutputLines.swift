import BMSCore
import Config
import EdgeIO

/// The outputs on a kernel GPIO chip, for either libgpiod generation: each line requested OFF,
/// held until ``releaseSafely()``, driven OFF before ON, and driven OFF before it is released.
final class KernelOutputLines<Line: HeldLine>: OutputLines {
    private struct Held {
        let output: Output
        let selector: LineSelector
        let line: Line
        /// The level last written successfully; nil after a failed write, so the next drive retries.
        var written: OutputState?
    }

    private let chipName: String
    private var held: [Held] = []
    private var released = false

    let outputs: [Output]

    /// Requests every configured output OFF; on a failure, releases (OFF) those already requested.
    init<Chip: LibgpiodChip>(chip: Chip, gpio: GPIOConfiguration, consumer: String) throws(HardwareError)
    where Chip.Line == Line {
        chipName = chip.name
        outputs = GPIO.configuredOutputs(gpio)
        for output in outputs {
            guard let configuration = gpio.outputs[output] else { continue }
            do throws(HardwareError) {
                let line = try chip.requestOutputOff(output, configuration, consumer: consumer)
                held.append(Held(output: output, selector: configuration.line, line: line, written: .off))
            } catch {
                _ = releaseSafely()
                throw error
            }
        }
    }

    deinit {
        // Rule 11 also when an owner forgets: OFF before the lines are released.
        _ = releaseSafely()
    }

    /// The output held on a kernel line offset, to catch the remote input configured on it.
    func output(atOffset offset: UInt32) -> Output? {
        held.first { $0.line.offset == offset }?.output
    }

    func drive(_ levels: OutputLevels) throws(HardwareError) {
        guard !released else { throw GPIOMessage.alreadyReleased }
        var failures: [HardwareError] = []
        // OFF before ON: while the writes go out one by one, the set of ON lines only ever
        // shrinks and then grows, so no combination outside the old and new ones is ever driven.
        for state in [OutputState.off, .on] {
            for index in held.indices where levels[held[index].output] == state && held[index].written != state {
                if let code = held[index].line.write(on: state == .on) {
                    held[index].written = nil
                    failures.append(GPIOMessage.writeFailed(
                        held[index].output, line: held[index].selector, chip: chipName, state: state, errno: code))
                } else {
                    held[index].written = state
                }
            }
        }
        if let first = failures.first {
            throw failures.count == 1
                ? first : HardwareError(failures.map(\.message).joined(separator: "; "), errno: first.errno)
        }
    }

    func releaseSafely() -> [HardwareError] {
        guard !released else { return [] }
        released = true
        var failures: [HardwareError] = []
        for entry in held {
            if let failure = entry.line.confirmOff(output: entry.output, selector: entry.selector, chip: chipName) {
                failures.append(failure)
            }
            // Released even when OFF failed: a released line is the remaining way to OFF.
            entry.line.release()
        }
        held.removeAll()
        return failures
    }
}
