import EdgeIO
import Glibc
import Synchronization

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
