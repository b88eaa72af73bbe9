import EdgeIO
import BMSCore
import Glibc
import Synchronization

/// Output lines kept in memory: what `[gpio] chip = "simulated"` selects (``GPIO/open(_:remote:consumer:)``),
/// for `smallbmsd demo`, for tests, and for trying a configuration on a machine without GPIO.
///
/// They behave like kernel lines: every output starts OFF, ``drive(_:)`` changes only the outputs
/// this set has, and ``releaseSafely()`` drives every output OFF before letting go.
///
/// When the environment variable `SMALLBMSD_SIMULATED_LINES_LOG` names a file, every change of a
/// line's level is appended to it as one line, `<CLOCK_MONOTONIC nanoseconds> <output> <on|off>`
/// (e.g. `81234567890123 load off`), written with a single `write(2)` on a descriptor opened with
/// `O_APPEND`, so a benchmark harness in another process can time the daemon's reactions against
/// its own monotonic clock and read whole lines while the daemon runs.
public final class SimulatedOutputLines: OutputLines {
    /// The environment variable that names the write log.
    public static let logEnvironmentVariable = "SMALLBMSD_SIMULATED_LINES_LOG"

    /// The log path the environment names, or nil when the variable is unset or empty.
    public static var environmentLogPath: String? {
        guard let value = getenv(logEnvironmentVariable), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    /// The outputs these lines stand for, in the order they are written.
    public let outputs: [Output]
    /// The level of every line now; outputs without a line stay OFF.
    public private(set) var levels: OutputLevels = .allOff
    /// True once ``releaseSafely()`` ran; ``drive(_:)`` then throws, as kernel lines would.
    public private(set) var isReleased = false
    /// Called once for every change of a line's level, after it is made (e.g. for a demo's display).
    public var writeLog: ((Output, OutputState) -> Void)?

    private let logDescriptor: Int32?

    /// Simulated lines for `outputs`, all OFF. `logPath` (by default from
    /// `SMALLBMSD_SIMULATED_LINES_LOG`) is created if missing and appended to.
    public init(
        outputs: [Output] = Output.allCases,
        logPath: String? = SimulatedOutputLines.environmentLogPath
    ) throws(HardwareError) {
        self.outputs = outputs
        guard let logPath else {
            logDescriptor = nil
            return
        }
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw HardwareError(
                "cannot open the simulated lines log \(logPath) (\(SimulatedOutputLines.logEnvironmentVariable)): "
                    + "\(HardwareError.describe(errno: code)): check that its folder exists and is writable, "
                    + "or unset the variable",
                errno: code)
        }
        logDescriptor = descriptor
    }

    deinit {
        if let logDescriptor { close(logDescriptor) }
    }

    /// Sets every line to its level in `levels`, OFF changes before ON ones (as the kernel lines do).
    public func drive(_ levels: OutputLevels) throws(HardwareError) {
        guard !isReleased else { throw GPIOMessage.alreadyReleased }
        for state in [OutputState.off, .on] {
            for output in outputs where levels[output] == state && self.levels[output] != state {
                set(output, state)
            }
        }
    }

    /// Drives every line OFF and marks the set released. Never fails; idempotent.
    public func releaseSafely() -> [HardwareError] {
        guard !isReleased else { return [] }
        for output in outputs where levels[output] == .on {
            set(output, .off)
        }
        isReleased = true
        return []
    }

    private func set(_ output: Output, _ state: OutputState) {
        levels[output] = state
        if let logDescriptor {
            let nanoseconds = SystemClock.monotonicNanoseconds()
            let line = Array("\(nanoseconds) \(output.rawValue) \(state.rawValue)\n".utf8)
            // One write per line, so a reader never sees half a line. A failed write is dropped:
            // the log is a measuring aid, and the lines must go on behaving like lines.
            _ = line.withUnsafeBytes { write(logDescriptor, $0.baseAddress, $0.count) }
        }
        writeLog?(output, state)
    }
}
