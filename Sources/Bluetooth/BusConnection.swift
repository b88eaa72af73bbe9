import CSystemd
import EdgeIO
#if canImport(Glibc)
import Glibc
#endif

/// A client connection to the D-Bus system bus through libsystemd's sd-bus, and the only Swift
/// file that calls sd-bus (one file per C library; sd-bus's pointers never leave it).
///
/// Non-blocking, without callbacks: the daemon's one `poll` watches ``descriptor`` for
/// ``events`` and wakes at ``deadline``; then ``nextMessage()`` hands over, one at a time, every
/// message sd-bus did not consume itself (signals matched by ``addMatch(_:)``, replies to
/// ``call(destination:path:interface:member:arguments:)``, which returns the cookie the reply
/// carries). sd-bus answers the bus daemon's own traffic (Hello, pings) inside.
///
/// `sd_bus_open_system` honours `DBUS_SYSTEM_BUS_ADDRESS`, so tests point it at a private bus.
public final class BusConnection {
    private var bus: OpaquePointer?

    /// Opens the system bus. Connecting a unix socket does not block; authentication and Hello go on
    /// in the background, and calls made meanwhile are queued.
    public init() throws(HardwareError) {
        var opened: OpaquePointer?
        let result = sd_bus_open_system(&opened)
        guard result >= 0, let opened else {
            throw HardwareError(
                "cannot connect to the D-Bus system bus (\(Self.busAddressText)): \(HardwareError.describe(errno: -result))"
                    + "; is dbus running (systemctl status dbus), and is /run/dbus/system_bus_socket reachable?",
                errno: -result)
        }
        bus = opened
    }

    deinit { close() }

    /// Where the system bus is looked for, for messages.
    public static var busAddressText: String {
        if let address = getenv("DBUS_SYSTEM_BUS_ADDRESS") { return String(cString: address) }
        return "unix:path=/run/dbus/system_bus_socket"
    }

    /// Flushes what is queued and closes the connection.
    public func close() {
        if let bus { sd_bus_flush_close_unref(bus) }
        bus = nil
    }

    /// Whether the connection is open (it closes on ``close()`` only; a lost bus shows as an error or
    /// a `Local.Disconnected` message).
    public var isOpen: Bool { bus != nil }

    /// The socket to poll, or -1 when closed.
    public var descriptor: Int32 {
        guard let bus else { return -1 }
        return sd_bus_get_fd(bus)
    }

    /// The `poll` events sd-bus waits for now (`POLLIN`, plus `POLLOUT` while bytes wait), 0 when closed.
    public var events: Int16 {
        guard let bus else { return 0 }
        let events = sd_bus_get_events(bus)
        return events > 0 ? Int16(truncatingIfNeeded: events) : 0
    }

    /// When sd-bus needs ``nextMessage()`` called although nothing arrived (its authentication
    /// timeout, say), on the CLOCK_MONOTONIC time line; nil when it needs nothing.
    public var deadline: Duration? {
        guard let bus else { return nil }
        var microseconds: UInt64 = 0
        guard sd_bus_get_timeout(bus, &microseconds) >= 0, microseconds != UInt64.max else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// Processes the connection once (reads, writes, internal replies) and returns the next message
    /// for this client, or nil when there is nothing more to do now.
    public func nextMessage() throws(HardwareError) -> BusMessage? {
        guard let bus else { throw HardwareError("the D-Bus connection is closed") }
        // sd_bus_process returns > 0 when it did something (maybe without a message for us): loop on.
        for _ in 0..<64 {
            var message: OpaquePointer?
            let result = sd_bus_process(bus, &message)
            if result < 0 {
                throw HardwareError("the D-Bus system bus connection failed: \(HardwareError.describe(errno: -result))", errno: -result)
            }
            if let message {
                defer { sd_bus_message_unref(message) }
                return Self.read(message)
            }
            if result == 0 { return nil }
        }
        return nil
    }

    /// Asks the bus daemon to route the signals that `rule` matches to this client
    /// (`type='signal',sender='org.bluez',...`); returns the call's cookie.
    @discardableResult
    public func addMatch(_ rule: String) throws(HardwareError) -> UInt64 {
        try call(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
            member: "AddMatch", arguments: [.string(rule)])
    }

    /// Sends a method call; its reply comes back through ``nextMessage()`` with this cookie as
    /// ``BusMessage/replyCookie``. No timeout here: the caller keeps its own.
    public func call(
        destination: String, path: String, interface: String, member: String, arguments: [BusValue] = []
    ) throws(HardwareError) -> UInt64 {
        guard let bus else { throw HardwareError("the D-Bus connection is closed") }
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(bus, &message, destination, path, interface, member)
        guard result >= 0, let message else {
            throw HardwareError("cannot make the D-Bus call \(interface).\(member): \(HardwareError.describe(errno: -result))", errno: -result)
        }
        defer { sd_bus_message_unref(message) }
        for argument in arguments {
            result = Self.append(argument, to: message)
            guard result >= 0 else {
                throw HardwareError("cannot encode the arguments of \(interface).\(member): \(HardwareError.describe(errno: -result))", errno: -result)
            }
        }
        var cookie: UInt64 = 0
        result = sd_bus_send(bus, message, &cookie)
        guard result >= 0 else {
            throw HardwareError("cannot send \(interface).\(member) to \(destination): \(HardwareError.describe(errno: -result))", errno: -result)
        }
        return cookie
    }

    // MARK: - Messages -> Swift

    private static func read(_ message: OpaquePointer) -> BusMessage {
        var type: UInt8 = 0
        _ = sd_bus_message_get_type(message, &type)
        let kind: BusMessage.Kind
        switch Int32(type) {
        case Int32(SD_BUS_MESSAGE_METHOD_CALL): kind = .methodCall
        case Int32(SD_BUS_MESSAGE_METHOD_RETURN): kind = .methodReturn
        case Int32(SD_BUS_MESSAGE_METHOD_ERROR): kind = .error
        default: kind = .signal
        }
        var cookie: UInt64 = 0
        let hasCookie = sd_bus_message_get_reply_cookie(message, &cookie) >= 0
        var errorName: String?
        var errorText: String?
        if kind == .error, let error = sd_bus_message_get_error(message) {
            errorName = error.pointee.name.map { String(cString: $0) }
            errorText = error.pointee.message.map { String(cString: $0) }
        }
        var body: [BusValue] = []
        // A body that does not parse is left at what was read: the caller checks what it needs.
        while let value = readValue(message) { body.append(value) }
        return BusMessage(
            kind: kind, path: text(sd_bus_message_get_path(message)), interface: text(sd_bus_message_get_interface(message)),
            member: text(sd_bus_message_get_member(message)), sender: text(sd_bus_message_get_sender(message)),
            replyCookie: hasCookie ? cookie : nil, errorName: errorName, errorMessage: errorText, body: body)
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func code(_ character: Character) -> CChar { CChar(bitPattern: character.asciiValue ?? 0) }

    /// The next complete value at the read position, nil at the end of the current container.
    private static func readValue(_ message: OpaquePointer) -> BusValue? {
        var type: CChar = 0
        var contentsPointer: UnsafePointer<CChar>?
        guard sd_bus_message_peek_type(message, &type, &contentsPointer) > 0 else { return nil }
        let contents = contentsPointer.map { String(cString: $0) } ?? ""
        switch UInt8(bitPattern: type) {
        case UInt8(ascii: "a"):
            if contents == "y" {
                var bytes: UnsafeRawPointer?
                var size = 0
                guard sd_bus_message_read_array(message, code("y"), &bytes, &size) >= 0 else { return nil }
                guard let bytes, size > 0 else { return .bytes([]) }
                return .bytes(Array(UnsafeRawBufferPointer(start: bytes, count: size)))
            }
            guard sd_bus_message_enter_container(message, type, contents) > 0 else { return nil }
            var items: [BusValue] = []
            while let item = readValue(message) { items.append(item) }
            guard sd_bus_message_exit_container(message) >= 0 else { return nil }
            return .array(element: contents, items)
        case UInt8(ascii: "e"), UInt8(ascii: "r"), UInt8(ascii: "v"):
            guard sd_bus_message_enter_container(message, type, contents) > 0 else { return nil }
            var items: [BusValue] = []
            while let item = readValue(message) { items.append(item) }
            guard sd_bus_message_exit_container(message) >= 0 else { return nil }
            switch UInt8(bitPattern: type) {
            case UInt8(ascii: "e"):
                guard items.count == 2 else { return .unsupported("{" + contents + "}") }
                return .dictEntry(items[0], items[1])
            case UInt8(ascii: "v"):
                guard let inner = items.first else { return .unsupported("v") }
                return .variant(inner)
            default:
                return .structure(items)
            }
        default:
            return readBasic(message, type: type)
        }
    }

    private static func readBasic(_ message: OpaquePointer, type: CChar) -> BusValue? {
        func basic<T: BitwiseCopyable>(_ initial: T) -> T? {
            var value = initial
            return sd_bus_message_read_basic(message, type, &value) > 0 ? value : nil
        }
        switch UInt8(bitPattern: type) {
        case UInt8(ascii: "y"): return basic(UInt8(0)).map(BusValue.byte)
        case UInt8(ascii: "b"): return basic(Int32(0)).map { .boolean($0 != 0) }
        case UInt8(ascii: "n"): return basic(Int16(0)).map(BusValue.int16)
        case UInt8(ascii: "q"): return basic(UInt16(0)).map(BusValue.uint16)
        case UInt8(ascii: "i"): return basic(Int32(0)).map(BusValue.int32)
        case UInt8(ascii: "u"): return basic(UInt32(0)).map(BusValue.uint32)
        case UInt8(ascii: "x"): return basic(Int64(0)).map(BusValue.int64)
        case UInt8(ascii: "t"): return basic(UInt64(0)).map(BusValue.uint64)
        case UInt8(ascii: "d"): return basic(Double(0)).map(BusValue.double)
        case UInt8(ascii: "s"), UInt8(ascii: "o"), UInt8(ascii: "g"):
            var pointer: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(message, type, &pointer) > 0, let pointer else { return nil }
            let text = String(cString: pointer)
            switch UInt8(bitPattern: type) {
            case UInt8(ascii: "s"): return .string(text)
            case UInt8(ascii: "o"): return .objectPath(text)
            default: return .signature(text)
            }
        default:
            let signature = String(UnicodeScalar(UInt8(bitPattern: type)))
            guard sd_bus_message_skip(message, signature) >= 0 else { return nil }
            return .unsupported(signature)
        }
    }

    // MARK: - Swift -> messages

    private static func append(_ value: BusValue, to message: OpaquePointer) -> Int32 {
        func basic<T: BitwiseCopyable>(_ type: Character, _ value: T) -> Int32 {
            var copy = value
            return sd_bus_message_append_basic(message, code(type), &copy)
        }
        func container(_ type: Character, _ contents: String, _ items: [BusValue]) -> Int32 {
            var result = sd_bus_message_open_container(message, code(type), contents)
            guard result >= 0 else { return result }
            for item in items {
                result = append(item, to: message)
                guard result >= 0 else { return result }
            }
            return sd_bus_message_close_container(message)
        }
        switch value {
        case .byte(let byte): return basic("y", byte)
        case .boolean(let flag): return basic("b", Int32(flag ? 1 : 0))
        case .int16(let number): return basic("n", number)
        case .uint16(let number): return basic("q", number)
        case .int32(let number): return basic("i", number)
        case .uint32(let number): return basic("u", number)
        case .int64(let number): return basic("x", number)
        case .uint64(let number): return basic("t", number)
        case .double(let number): return basic("d", number)
        case .string(let text), .objectPath(let text), .signature(let text):
            // Strings are passed as the pointer itself, not a pointer to it.
            return text.withCString { sd_bus_message_append_basic(message, code(Character(value.signature)), $0) }
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { sd_bus_message_append_array(message, code("y"), $0.baseAddress, $0.count) }
        case .array(let element, let items): return container("a", element, items)
        case .dictEntry(let key, let item): return container("e", key.signature + item.signature, [key, item])
        case .structure(let fields): return container("r", fields.map(\.signature).joined(), fields)
        case .variant(let inner): return container("v", inner.signature, [inner])
        case .unsupported: return -EINVAL
        }
    }
}
