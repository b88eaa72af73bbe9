import BMSCore
import EdgeIO
import Devices
#if canImport(Glibc)
import Glibc
#endif

/// The remote on/off input (rule 1) as a source: its debounced level, read on every edge event
/// (libgpiod 1 debounces in `DebouncedInput`, libgpiod 2 in the kernel). A read that fails
/// leaves the remote unknown, so it is fatal: every output OFF.
public final class RemoteInputSource: ReadingSource {
    private let remote: any RemoteInput
    private var on = true

    /// A source for a held remote input line.
    public init(remote: any RemoteInput) { self.remote = remote }

    public var name: String { "remote input" }
    public var pollInterest: PollInterest? { PollInterest(descriptor: remote.eventDescriptor, events: Int16(POLLIN)) }
    public var nextDeadline: Duration? { nil }

    public func start(_ context: any SourceContext) {
        do {
            on = try remote.isOn()
            context.log(.info, "remote input is \(on ? "ON" : "OFF")", fields: ["REMOTE": on ? "on" : "off"])
            context.deliver(.remote(on: on))
        } catch {
            context.fail("cannot read the remote input: \(error)")
        }
    }

    public func serve(events: Int16, _ context: any SourceContext) {
        do {
            try remote.drainEvents()
            let level = try remote.isOn()
            guard level != on else { return }
            on = level
            context.log(.notice, "remote input \(on ? "ON" : "OFF")", fields: ["REMOTE": on ? "on" : "off", "RULE": "remote"])
            context.deliver(.remote(on: on))
        } catch {
            context.fail("cannot read the remote input: \(error)")
        }
    }

    public func serveDeadline(_ context: any SourceContext) {}

    public func stop() { remote.release() }
}
