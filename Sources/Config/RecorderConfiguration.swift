/// The flight recorder (`[recorder]`): the last minutes of readings kept in memory, written to
/// an incident file when an output trips.
public struct RecorderConfiguration: Sendable, Equatable {
    /// Record incidents at all (`enabled`).
    public var enabled: Bool
    /// Where incident files go (`directory`).
    public var directory: String
    /// How much input before a trip an incident holds (`window_s`).
    public var window: Duration
    /// How much input after the trip it holds (`after_s`).
    public var after: Duration
    /// The most the incident files may take together, in megabytes of 1,000,000 bytes (`max_mb`).
    public var maxMegabytes: Int

    /// The incidents directory when `[recorder] directory` is not given (systemd's StateDirectory).
    public static let defaultDirectory = "/var/lib/smallbmsd/incidents"

    /// The recorder of an empty file: on, 600 s before and 60 s after, at most 50 MB.
    public init(
        enabled: Bool = true, directory: String = RecorderConfiguration.defaultDirectory,
        window: Duration = .seconds(600), after: Duration = .seconds(60), maxMegabytes: Int = 50
    ) {
        self.enabled = enabled
        self.directory = directory
        self.window = window
        self.after = after
        self.maxMegabytes = maxMegabytes
    }

    /// `max_mb` in bytes.
    public var maxBytes: Int { maxMegabytes * 1_000_000 }
}
