import BMSCore
import Config
import EdgeIO

/// One requested kernel line, of either libgpiod generation: the calls ``KernelOutputLines`` and
/// ``KernelGPIO`` make on it. The generation's file (GPIOD1.swift or GPIOD2.swift) implements it
/// with the C calls; the drive and release logic is written once, above it.
protocol HeldLine {
    /// The kernel's offset of the line on its chip.
    var offset: UInt32 { get }
    /// Writes a logical level (`true` = ON; the kernel applies active-low); nil when written,
    /// otherwise the errno.
    func write(on: Bool) -> Int32?
    /// Reads the logical level back.
    func read() -> LineLevelRead
    /// Gives the line back to the kernel. Called once by its owner.
    func release()
}

/// What reading a line back gave.
enum LineLevelRead: Equatable {
    case on
    case off
    case failed(errno: Int32)
}

extension HeldLine {
    /// Drives a held output OFF and reads it back; nil when it is confirmed OFF.
    func confirmOff(output: Output, selector: LineSelector, chip: String) -> HardwareError? {
        if let code = write(on: false) {
            return GPIOMessage.writeFailed(output, line: selector, chip: chip, state: .off, errno: code)
        }
        switch read() {
        case .off: return nil
        case .on: return GPIOMessage.notConfirmedOff(output, line: selector, chip: chip, errno: nil)
        case .failed(let code): return GPIOMessage.notConfirmedOff(output, line: selector, chip: chip, errno: code)
        }
    }
}
