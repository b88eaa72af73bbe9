/// The GPIO line one output drives (`[gpio.load]` and its siblings).
public struct OutputLineConfiguration: Sendable, Hashable {
    /// The line on the configured chip.
    public var line: LineSelector
    /// `true` when the external stage is on while the line is low.
    ///
    /// Only the electrical level is inverted; "off" still releases the line, the safe side.
    public var activeLow: Bool

    /// An output line; active high unless told otherwise.
    public init(line: LineSelector, activeLow: Bool = false) {
        self.line = line
        self.activeLow = activeLow
    }
}
