/// How a GPIO line is named in the configuration: by its offset on the chip or by its line name.
///
/// The two forms are kept apart because only the chip knows which offset a name stands for; the
/// GPIO layer resolves names when it requests the lines.
public enum LineSelector: Sendable, Hashable, CustomStringConvertible {
    /// The line's offset on the chip (`line = 17`).
    case offset(Int)
    /// The line's name as the chip reports it (`line = "GPIO17"`).
    case name(String)

    /// `GPIO17` for a name, `offset 17` for an offset: the form the journal shows.
    public var description: String {
        switch self {
        case .offset(let offset): "offset \(offset)"
        case .name(let name): name
        }
    }
}
