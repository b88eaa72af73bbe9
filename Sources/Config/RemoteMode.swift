/// Where the remote on/off signal (rule 1) comes from (`[remote] mode`).
public enum RemoteMode: String, Sendable, Hashable, CaseIterable {
    /// A GPIO input: a switch or relay contact.
    case gpio = "gpio"
    /// No input: remote is always ON.
    case alwaysOn = "always-on"
}
