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
                    + "\(GPIOMessage.describe(errno: code)): check that its folder exists and is writable, "
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
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            let line = Array("\(nanoseconds) \(output.rawValue) \(state.rawValue)\n".utf8)
            // One write per line, so a reader never sees half a line. A failed write is dropped:
            // the log is a measuring aid, and the lines must go on behaving like lines.
            _ = line.withUnsafeBytes { write(logDescriptor, $0.baseAddress, $0.count) }
        }
        writeLog?(output, state)
    }
}

/// A remote input kept in memory: what `[gpio] chip = "simulated"` selects when `[remote] mode = "gpio"`.
///
/// It starts ON. ``set(on:)`` changes the level and writes a byte to a pipe, so ``eventDescriptor``
/// is a real descriptor that polls readable until ``drainEvents()``, exactly as a kernel line's
/// would after an edge. There is no debounce: a simulated contact does not bounce.
///
/// `Sendable` (the state sits behind a `Mutex`), so a demo or a test can flip it from another task
/// while the daemon polls it.
public final class SimulatedRemoteInput: RemoteInput, Sendable {
    private struct State {
        var on: Bool
        var released = false
    }

    /// The read end of the pipe: polls readable after ``set(on:)`` until ``drainEvents()``.
    /// Invalid after ``release()``.
    public let eventDescriptor: Int32
    private let writeDescriptor: Int32
    private let state: Mutex<State>

    /// A simulated remote input at level `on` (ON by default, like `[remote] mode = "always-on"`).
    public init(on: Bool = true) throws(HardwareError) {
        let (readEnd, writeEnd) = try NonBlockingPipe.make(purpose: "the simulated remote input's pipe")
        eventDescriptor = readEnd
        writeDescriptor = writeEnd
        state = Mutex(State(on: on))
    }

    deinit { release() }

    /// Sets the level and makes ``eventDescriptor`` readable, as an edge would. Ignored after ``release()``.
    public func set(on: Bool) {
        state.withLock { state in
            // Under the lock so that release() cannot close the descriptor between check and write.
            guard !state.released else { return }
            state.on = on
            var byte: UInt8 = 1
            // EAGAIN means the pipe is full and already readable: nothing is lost.
            _ = write(writeDescriptor, &byte, 1)
        }
    }

    /// Empties the pipe so the descriptor stops polling readable.
    public func drainEvents() throws(HardwareError) {
        try state.withLock { state throws(HardwareError) in
            if state.released { throw GPIOMessage.alreadyReleased }
            try NonBlockingPipe.drain(eventDescriptor)
        }
    }

    /// The level last set: true is ON.
    public func isOn() throws(HardwareError) -> Bool {
        let current = state.withLock { $0 }
        if current.released { throw GPIOMessage.alreadyReleased }
        return current.on
    }

    /// Closes the pipe. Idempotent.
    public func release() {
        state.withLock { state in
            guard !state.released else { return }
            state.released = true
            close(eventDescriptor)
            close(writeDescriptor)
        }
    }
}
