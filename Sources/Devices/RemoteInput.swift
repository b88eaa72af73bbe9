import EdgeIO

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
