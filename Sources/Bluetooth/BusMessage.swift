/// A message the bus delivered to this client, read into Swift values: a signal, or the reply to
/// one of its calls (matched by ``replyCookie``).
public struct BusMessage: Sendable, Hashable {
    /// What kind of message it is.
    public enum Kind: Sendable, Hashable {
        case methodCall, methodReturn, error, signal
    }

    public var kind: Kind
    /// The object path of a signal or call.
    public var path: String?
    public var interface: String?
    public var member: String?
    /// The unique name of the sender (`:1.42`).
    public var sender: String?
    /// For a method return or error: the cookie of the call it answers.
    public var replyCookie: UInt64?
    /// For an error: its D-Bus name (`org.bluez.Error.NotReady`) and text.
    public var errorName: String?
    public var errorMessage: String?
    /// The body, one value per top-level argument.
    public var body: [BusValue]

    /// A message from its fields (the connection builds them; tests may too).
    public init(
        kind: Kind, path: String? = nil, interface: String? = nil, member: String? = nil, sender: String? = nil,
        replyCookie: UInt64? = nil, errorName: String? = nil, errorMessage: String? = nil, body: [BusValue] = []
    ) {
        self.kind = kind
        self.path = path
        self.interface = interface
        self.member = member
        self.sender = sender
        self.replyCookie = replyCookie
        self.errorName = errorName
        self.errorMessage = errorMessage
        self.body = body
    }

    /// Whether it is the signal `interface.member`.
    public func isSignal(_ interface: String, _ member: String) -> Bool {
        kind == .signal && self.interface == interface && self.member == member
    }

    /// sd-bus's own signal when the connection to the bus daemon is lost.
    public var isLocalDisconnect: Bool {
        isSignal("org.freedesktop.DBus.Local", "Disconnected")
    }
}
