import EdgeIO
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
