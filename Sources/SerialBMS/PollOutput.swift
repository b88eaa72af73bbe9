import BMSCore

/// What a ``PollSession`` step asks of the edge: bytes to write now, readings to hand on.
public struct PollOutput: Sendable, Hashable {
    /// Bytes to write to the UART now, in order (empty when nothing is due).
    public var send: [UInt8]
    /// Readings of cycles that completed in this step: only complete, valid, fresh ones.
    public var readings: [BatteryReading]

    /// Nothing to send, no reading.
    public init(send: [UInt8] = [], readings: [BatteryReading] = []) {
        self.send = send
        self.readings = readings
    }
}
