import EdgeIO
import Foundation
import SerialBMS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A battery's BMS on the far end of a pty: one of the pure modules' responders answering the
/// daemon's polls from a thread, with a pack the test changes, and a plug the test can pull.
final class SimulatedBMSPeer: @unchecked Sendable {
    let link: String
    private let state: Mutex<PeerState>
    private let running = Atomic<Bool>(true)
    private var thread: Thread?

    private struct PeerState {
        var responder: any BMSResponder
        var master: Int32
        var slave: Int32
        var answering = true
        var bytesReceived = 0
    }

    /// A peer behind `link` (the path a `[[battery]] device` names), answering with `responder`.
    init(_ responder: any BMSResponder, linkedAt link: String) throws {
        self.link = link
        let (master, slave) = try DaemonHarness.openRawPty(linkedAt: link)
        state = Mutex(PeerState(responder: responder, master: master, slave: slave))
        let thread = Thread { [self] in serve() }
        self.thread = thread
        thread.start()
    }

    /// Changes what the BMS reports from its next answer on.
    func update(_ change: (inout SimulatedPack) -> Void) {
        state.withLock { change(&$0.responder.pack) }
    }

    /// Stops or resumes answering (the BMS hears, but says nothing: asleep, or TX not wired).
    func setAnswering(_ answering: Bool) { state.withLock { $0.answering = answering } }

    /// Request bytes that reached the BMS.
    var bytesReceived: Int { state.withLock { $0.bytesReceived } }

    /// Closes the pty and removes the link: the daemon's reads fail as on an unplugged adapter.
    func unplug() {
        state.withLock { peer in
            if peer.master >= 0 { close(peer.master) }
            if peer.slave >= 0 { close(peer.slave) }
            peer.master = -1
            peer.slave = -1
        }
        try? FileManager.default.removeItem(atPath: link)
    }

    /// A new pty behind the same link: the adapter plugged back in.
    func plugIn() throws {
        let (master, slave) = try DaemonHarness.openRawPty(linkedAt: link)
        state.withLock {
            $0.master = master
            $0.slave = slave
        }
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 1024)
        while running.load(ordering: .relaxed) {
            let master = state.withLock { $0.master }
            guard master >= 0 else {
                usleep(10_000)
                continue
            }
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 20) > 0 else { continue }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else {
                usleep(10_000)
                continue
            }
            let answer: [UInt8] = state.withLock { peer in
                peer.bytesReceived += count
                let reply = peer.responder.receive(buffer[0..<count])
                return peer.answering && peer.master == master ? reply : []
            }
            var offset = 0
            while offset < answer.count {
                let written = answer.withUnsafeBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Ends the thread and closes the pty (the thread holds the peer until then).
    func stop() {
        running.store(false, ordering: .relaxed)
        unplug()
    }
}
