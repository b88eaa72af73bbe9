/// The Prometheus textfile (`[metrics]`): where the daemon leaves its readings for node_exporter's
/// textfile collector.
///
/// Absent by default: a bank without Prometheus writes nothing to the SD card.
public struct MetricsConfiguration: Sendable, Equatable {
    /// The `.prom` file, replaced atomically at every status refresh.
    public var textfile: String

    /// The file node_exporter's textfile collector reads on Debian, unless told otherwise.
    public static let defaultTextfile = "/var/lib/prometheus/node-exporter/smallbmsd.prom"

    /// A textfile at `textfile`; Debian's node_exporter directory unless told otherwise.
    public init(textfile: String = MetricsConfiguration.defaultTextfile) {
        self.textfile = textfile
    }
}
