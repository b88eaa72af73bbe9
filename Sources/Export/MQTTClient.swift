import CMosquitto
import Dashboards
import EdgeIO
#if canImport(Glibc)
import Glibc
#endif

/// An MQTT 3.1.1 connection through Debian's libmosquitto: the only file that calls it.
///
/// Driven from the caller's own `poll` (``pollInterest``, ``serve(readable:writable:)``), with no
/// thread of libmosquitto's: the exporter's one loop also watches signals and the status file.
/// The connection is opened without blocking on TCP (`mosquitto_connect_async`); what happens to
/// it comes back from ``serve(readable:writable:)`` as ``Event``s. Every message goes out at QoS 1.
public final class MQTTClient {
    /// What the broker did to the connection.
    public enum Event: Equatable, Sendable {
        /// The broker accepted the connection (CONNACK 0): publish from now on.
        case accepted
        /// The broker answered CONNACK with a refusal (bad credentials, ...), worded by libmosquitto.
        case refused(String)
        /// The connection is gone (the broker stopped, the network dropped, a keepalive timed out, ...).
        case lost(String)
    }

    private let handle: OpaquePointer
    private let inbox = Inbox()
    private var open = false

    /// Where libmosquitto's callbacks leave what they saw; they run inside ``serve(readable:writable:)``.
    private final class Inbox {
        var events: [Event] = []
    }

    private static let libraryReady: Bool = mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue

    /// A client named `clientID` whose `will` the broker publishes if the connection dies
    /// without a clean ``disconnect()``; `username`/`password` when the broker wants them.
    public init(clientID: String, will: MQTTMessage, username: String?, password: String?) throws(HardwareError) {
        guard Self.libraryReady else { throw HardwareError("cannot initialise libmosquitto") }
        // A clean session: the exporter republishes everything after each connect anyway.
        guard let handle = mosquitto_new(clientID, true, Unmanaged.passUnretained(inbox).toOpaque()) else {
            throw HardwareError("cannot create an MQTT client: \(HardwareError.describe(errno: errno))", errno: errno)
        }
        self.handle = handle
        _ = mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311)
        mosquitto_connect_callback_set(handle) { _, context, code in
            guard let context else { return }
            let inbox = Unmanaged<Inbox>.fromOpaque(context).takeUnretainedValue()
            inbox.events.append(code == 0 ? .accepted : .refused(String(cString: mosquitto_connack_string(code))))
        }
        mosquitto_disconnect_callback_set(handle) { _, context, code in
            guard let context, code != 0 else { return }
            let inbox = Unmanaged<Inbox>.fromOpaque(context).takeUnretainedValue()
            inbox.events.append(.lost(MQTTClient.describe(code)))
        }
        let payload = Array(will.payload.utf8)
        var result = mosquitto_will_set(handle, will.topic, Int32(payload.count), payload, 1, will.retained)
        if result == MOSQ_ERR_SUCCESS.rawValue, let username {
            result = mosquitto_username_pw_set(handle, username, password)
        }
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            mosquitto_destroy(handle)
            throw HardwareError("cannot set up the MQTT client: \(MQTTClient.describe(result))")
        }
    }

    deinit { mosquitto_destroy(handle) }

    /// Starts connecting to `host`:`port`; the outcome arrives as an ``Event`` from
    /// ``serve(readable:writable:)``. Throws when it cannot even start (an unknown host name, a
    /// refused TCP connection noticed at once).
    public func connect(host: String, port: Int, keepAliveSeconds: Int) throws(HardwareError) {
        let result = mosquitto_connect_async(handle, host, Int32(port), Int32(keepAliveSeconds))
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            open = false
            throw HardwareError("cannot connect to the MQTT broker \(host):\(port): \(MQTTClient.describe(result))")
        }
        open = true
    }

    /// The socket to poll and the events to wait for; nil while there is no connection.
    public var pollInterest: (descriptor: Int32, events: Int16)? {
        let descriptor = mosquitto_socket(handle)
        guard open, descriptor >= 0 else { return nil }
        return (descriptor, Int16(POLLIN) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0))
    }

    /// Reads and writes what the socket allows, sends keepalive pings, and returns what happened.
    /// Call after every `poll` (also on a timeout: the keepalive needs it).
    public func serve(readable: Bool, writable: Bool) -> [Event] {
        guard open else { return drainInbox() }
        var result = MOSQ_ERR_SUCCESS.rawValue
        if readable { result = mosquitto_loop_read(handle, 1) }
        if result == MOSQ_ERR_SUCCESS.rawValue, writable || mosquitto_want_write(handle) {
            result = mosquitto_loop_write(handle, 1)
        }
        if result == MOSQ_ERR_SUCCESS.rawValue { result = mosquitto_loop_misc(handle) }
        var events = drainInbox()
        if result != MOSQ_ERR_SUCCESS.rawValue || mosquitto_socket(handle) < 0 {
            open = false
            if !events.contains(where: { if case .lost = $0 { true } else { false } }) {
                events.append(.lost(MQTTClient.describe(result == MOSQ_ERR_SUCCESS.rawValue ? MOSQ_ERR_CONN_LOST.rawValue : result)))
            }
            // Frees the socket so the next connect starts afresh.
            _ = mosquitto_disconnect(handle)
        }
        if events.contains(where: { if case .refused = $0 { true } else { false } }) { open = false }
        return events
    }

    /// Queues `message` (QoS 1) for the next writes.
    public func publish(_ message: MQTTMessage) throws(HardwareError) {
        let payload = Array(message.payload.utf8)
        let result = mosquitto_publish(handle, nil, message.topic, Int32(payload.count), payload, 1, message.retained)
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            throw HardwareError("cannot publish \(message.topic): \(MQTTClient.describe(result))")
        }
    }

    /// Sends what is queued (up to `milliseconds`), then a clean DISCONNECT: the broker drops the will.
    public func disconnect(flushingFor milliseconds: Int) {
        guard open else { return }
        var waited = 0
        while mosquitto_want_write(handle), waited < milliseconds {
            guard mosquitto_loop_write(handle, 1) == MOSQ_ERR_SUCCESS.rawValue else { break }
            usleep(10_000)
            waited += 10
        }
        _ = mosquitto_disconnect(handle)
        _ = mosquitto_loop_write(handle, 1)
        open = false
    }

    private func drainInbox() -> [Event] {
        defer { inbox.events.removeAll() }
        return inbox.events
    }

    // libmosquitto's words, with the errno behind MOSQ_ERR_ERRNO.
    private static func describe(_ code: Int32) -> String {
        if code == MOSQ_ERR_ERRNO.rawValue { return HardwareError.describe(errno: errno) }
        // "The connection was lost." reads badly inside a sentence of ours.
        var text = String(cString: mosquitto_strerror(code))
        while text.hasSuffix(".") { text.removeLast() }
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
