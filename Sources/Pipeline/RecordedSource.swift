/// A source whose raw bytes a recording may carry (`T @vedirect 0d0a...`), so that an incident on
/// that device replays through the same decoder the daemon ran, bad blocks included.
///
/// Readings from any source are recorded as `$M8B` sentences, the canonical reading format;
/// raw lines are for devices whose bytes are worth replaying as they came.
public enum RecordedSource: String, Sendable, Hashable, CaseIterable {
    /// The M8 bus adapter (the same bytes a `$M8B` line carries, in hex).
    case m8
    /// A SmartShunt or BMV on its VE.Direct port (text protocol).
    case vedirect

    /// A fresh decoder for this source's bytes.
    public func makeDecoder() -> any InputDecoder {
        switch self {
        case .m8: M8InputDecoder()
        case .vedirect: VEDirectInputDecoder()
        }
    }
}
