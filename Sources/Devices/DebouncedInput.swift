import EdgeIO
import Dispatch
import Glibc
import Synchronization

/// Software debounce for an ``EdgeSource``, giving the same contract as kernel debounce: a level
/// counts only once it has held for the debounce period, and the caller is woken only then.
///
/// The wake-up needs a timer that fires with no new edge, and the daemon polls one descriptor per
/// input. So a private serial queue watches the line, restarts a timer on every edge, reads the
/// level when the line has been quiet for the period, and writes a byte to a pipe when that level
/// differs from the one last published. The pipe's read end is the descriptor the daemon polls.
/// A contact that keeps chattering never settles, so the last steady level stays in force.
///
/// `@unchecked Sendable` because the queue's handlers need `self`: the edge source (which owns
/// libgpiod handles, not `Sendable`), `pendingSettle` and `stopped` are touched only on `queue`,
/// and by ``release()`` only after the watch is cancelled and inside `queue.sync`; what the owner
/// reads (level, failure, released) sits in a `Mutex`.
final class DebouncedInput: @unchecked Sendable {
    private struct Published {
        var level: Bool
        var failure: HardwareError?
        var released = false
    }

    /// Polls readable when the debounced level changed (or the line failed) since the last drain.
    let notifyDescriptor: Int32
    private let notifyWriteDescriptor: Int32
    private let source: any EdgeSource
    private let queue: DispatchQueue
    private let watch: any DispatchSourceRead
    private let watchCancelled = DispatchSemaphore(value: 0)
    private let debounce: DispatchTimeInterval?
    private let published: Mutex<Published>
    private var pendingSettle: DispatchWorkItem?
    private var stopped = false

    /// Starts watching `source`. The caller keeps ownership of `source` if this throws.
    init(source: any EdgeSource, debounceMilliseconds: Int, label: String) throws(HardwareError) {
        let level = try source.readLevel()
        let (readEnd, writeEnd) = try NonBlockingPipe.make(purpose: "the remote input's wake-up pipe")
        self.source = source
        self.notifyDescriptor = readEnd
        self.notifyWriteDescriptor = writeEnd
        self.debounce = debounceMilliseconds > 0 ? .milliseconds(debounceMilliseconds) : nil
        self.published = Mutex(Published(level: level))
        self.queue = DispatchQueue(label: "smallbmsd.\(label)")
        self.watch = DispatchSource.makeReadSource(fileDescriptor: source.edgeDescriptor, queue: queue)
        watch.setEventHandler { [weak self] in self?.edgesArrived() }
        watch.setCancelHandler { [watchCancelled] in watchCancelled.signal() }
        watch.activate()
    }

    /// The debounced level; throws the failure that stopped the watch, if any.
    func level() throws(HardwareError) -> Bool {
        let state = published.withLock { $0 }
        if state.released { throw GPIOMessage.alreadyReleased }
        if let failure = state.failure { throw failure }
        return state.level
    }

    /// Empties the wake-up pipe so the descriptor stops polling readable.
    func drainNotifications() throws(HardwareError) {
        try published.withLock { state throws(HardwareError) in
            // Under the lock so that release() cannot close the descriptor (and the number be
            // reused by another file) between the check and the read.
            if state.released { throw GPIOMessage.alreadyReleased }
            try NonBlockingPipe.drain(notifyDescriptor)
        }
    }

    /// Stops watching, releases the line and closes the pipe. Idempotent. Must not be called on
    /// the queue (the owner never is).
    func release() {
        let first = published.withLock { state in
            defer { state.released = true }
            return !state.released
        }
        guard first else { return }
        // Dispatch must stop watching a descriptor before it is closed; the cancel handler says
        // when it has (it also ran already if a failure cancelled the watch).
        watch.cancel()
        watchCancelled.wait()
        queue.sync {
            stopped = true
            pendingSettle?.cancel()
            pendingSettle = nil
        }
        source.release()
        close(notifyDescriptor)
        close(notifyWriteDescriptor)
    }

    // MARK: On the queue

    private func edgesArrived() {
        guard !stopped else { return }
        do {
            try source.drainEdges()
        } catch {
            fail(error)
            return
        }
        pendingSettle?.cancel()
        guard let debounce else {
            settle()
            return
        }
        let settleItem = DispatchWorkItem { [weak self] in self?.settle() }
        pendingSettle = settleItem
        queue.asyncAfter(deadline: .now() + debounce, execute: settleItem)
    }

    private func settle() {
        guard !stopped else { return }
        pendingSettle = nil
        let level: Bool
        do {
            level = try source.readLevel()
        } catch {
            fail(error)
            return
        }
        let changed = published.withLock { state in
            guard state.level != level else { return false }
            state.level = level
            return true
        }
        if changed { notify() }
    }

    private func fail(_ error: HardwareError) {
        // An unreadable line would keep the descriptor readable and spin the handler: stop
        // watching, and let the owner learn of it through isOn().
        stopped = true
        pendingSettle?.cancel()
        pendingSettle = nil
        watch.cancel()
        published.withLock { $0.failure = error }
        notify()
    }

    private func notify() {
        var byte: UInt8 = 1
        // EAGAIN means the pipe is full, so it already polls readable: nothing is lost.
        _ = write(notifyWriteDescriptor, &byte, 1)
    }
}
