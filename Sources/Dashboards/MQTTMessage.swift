/// One message for the broker: a topic, its payload as text, and whether the broker keeps it for
/// later subscribers (Home Assistant reads retained discovery and state at its own start).
public struct MQTTMessage: Sendable, Equatable {
    /// The topic, e.g. `smallbmsd/battery/1/cell/2/volts`.
    public var topic: String
    /// The payload, UTF-8 text (`3.312`, `ON`, a JSON discovery document).
    public var payload: String
    /// Kept by the broker and sent to every new subscriber.
    public var retained: Bool

    /// A message with every field given; retained unless told otherwise.
    public init(topic: String, payload: String, retained: Bool = true) {
        self.topic = topic
        self.payload = payload
        self.retained = retained
    }
}
