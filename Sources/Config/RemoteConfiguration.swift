/// The remote on/off input (`[remote]`, rule 1).
public struct RemoteConfiguration: Sendable, Equatable {
    /// A GPIO input, or always ON.
    public var mode: RemoteMode
    /// The input line, on the `[gpio]` chip; unused when `mode` is `.alwaysOn`.
    public var line: LineSelector
    /// `true` when a low level means ON (a contact to ground with a pull-up).
    public var activeLow: Bool
    /// The bias the kernel applies to the line.
    public var bias: LineBias
    /// A level must hold this long, in milliseconds, before it counts (contact bounce).
    public var debounceMilliseconds: Int

    /// A remote input; the defaults are behaviour.md's: a contact to ground on GPIO5, pulled up.
    public init(
        mode: RemoteMode = .gpio,
        line: LineSelector = .name("GPIO5"),
        activeLow: Bool = true,
        bias: LineBias = .pullUp,
        debounceMilliseconds: Int = 50
    ) {
        self.mode = mode
        self.line = line
        self.activeLow = activeLow
        self.bias = bias
        self.debounceMilliseconds = debounceMilliseconds
    }
}
