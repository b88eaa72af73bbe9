import BMSCore

/// The output lines the daemon drives: LOAD, CHARGER, PRE-ALARM and the two optional LEDs.
///
/// Implemented by the libgpiod lines and by in-process simulated lines. Every line is requested
/// with its OFF level first, held for the daemon's life, and driven OFF before it is released.
public protocol OutputLines: AnyObject {
    /// The outputs that have a line (the LEDs are optional).
    var outputs: [Output] { get }
    /// Drives every configured output to its level in `levels` (`on` = logical high, honouring active-low).
    func drive(_ levels: OutputLevels) throws(HardwareError)
    /// Drives every output OFF, then releases the lines. Best effort: returns what failed, never throws.
    func releaseSafely() -> [HardwareError]
}

/// The remote on/off input (rule 1), read through edge events, never by polling.
public protocol RemoteInput: AnyObject {
    /// A descriptor that polls readable while an edge event is pending.
    var eventDescriptor: Int32 { get }
    /// Consumes the pending edge events so the descriptor stops polling readable.
    func drainEvents() throws(HardwareError)
    /// The current logical level: true means ON (active-low honoured).
    func isOn() throws(HardwareError) -> Bool
    /// Releases the line.
    func release()
}
