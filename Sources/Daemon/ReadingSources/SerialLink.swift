#if canImport(Glibc)
import Glibc
#endif
import Devices
import EdgeIO

/// The edge part every serial source shares: a UART that may vanish and come back (a USB adapter
/// unplugged), opened with back-off (``Reconnection``), read without blocking into one buffer.
final class SerialLink {
    /// What the journal says about this device: each source words its own consequences.
    struct Wording {
        /// After the first failed open of an outage: `"\(error); the batteries count as silent ..."`.
        var cannotOpen: (HardwareError) -> String
        /// When it opens again after an outage.
        var isBack: String
        /// When a read fails on an open port: `"bus device lost: \(error); ..."`.
        var lost: (any Error) -> String
    }

    let path: String
    let baud: Int
    private let role: SerialPort.Role
    private let wording: Wording
    private(set) var port: SerialPort?
    private var reconnection = Reconnection()
    /// Made once: a new zero-filled 4 KB array on every wake-up (up to 200 a second on a big bank)
    /// cost more than decoding the sentence in it.
    private var buffer = [UInt8](repeating: 0, count: 4096)

    init(path: String, baud: Int, role: SerialPort.Role, wording: Wording) {
        self.path = path
        self.baud = baud
        self.role = role
        self.wording = wording
    }

    /// Whether the port is open now.
    var isOpen: Bool { port != nil }

    /// When to try opening again (real time), while the port is closed.
    var retryAt: Duration? { port == nil ? reconnection.retryAt : nil }

    /// What `poll` should watch: the port's descriptor for input, while open.
    var pollInterest: PollInterest? {
        port.map { PollInterest(descriptor: $0.descriptor, events: Int16(POLLIN)) }
    }

    /// Tries to open the port at `now`; true when it opened (the caller resets its decoder).
    @discardableResult
    func open(at now: DaemonInstant, _ context: any SourceContext) -> Bool {
        do {
            port = try SerialPort(path: path, baud: baud, role: role)
            if reconnection.opened() {
                context.log(.notice, wording.isBack, fields: ["DEVICE": path])
            }
            return true
        } catch {
            port = nil
            if reconnection.failed(at: now.real) {
                context.log(.error, wording.cannotOpen(error), fields: ["DEVICE": path])
            }
            return false
        }
    }

    /// Reads everything waiting, handing each chunk to `consume`. A failed read closes the port,
    /// says so once and schedules a reopening.
    func drain(at now: DaemonInstant, _ context: any SourceContext, _ consume: (UnsafeRawBufferPointer) -> Void) {
        guard let port else { return }
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { bytes throws(HardwareError) in try port.read(into: bytes) }
            } catch {
                context.log(.error, wording.lost(error), fields: ["DEVICE": path])
                _ = reconnection.failed(at: now.real)
                close()
                return
            }
            if count == 0 { return }
            buffer.withUnsafeBytes { consume(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if count < buffer.count { return }
        }
    }

    /// Writes a request (a polled BMS asks before it hears); a failure closes the port as a lost read does.
    func write(_ bytes: [UInt8], at now: DaemonInstant, _ context: any SourceContext) {
        guard let port else { return }
        do {
            try port.write(bytes)
        } catch {
            context.log(.error, wording.lost(error), fields: ["DEVICE": path])
            _ = reconnection.failed(at: now.real)
            close()
        }
    }

    func close() {
        port?.close()
        port = nil
    }
}
