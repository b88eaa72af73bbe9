/// One thing wrong with a configuration file: what, which key, and where.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The dotted key the problem is about (`thresholds.prealarm_v`), or `nil` for the file as a whole.
    public var key: String?
    /// The 1-based line in the file, or `nil` when the problem has no place (an unreadable file).
    public var line: Int?
    /// The 1-based column, known only for TOML syntax errors.
    public var column: Int?
    /// What is wrong and what is allowed, without the file name and line.
    public var message: String

    /// A problem; `column` is only known for syntax errors.
    public init(key: String?, line: Int?, column: Int? = nil, message: String) {
        self.key = key
        self.line = line
        self.column = column
        self.message = message
    }

    /// `14: message`, `4:6: message`, or the message alone when there is no line.
    public var description: String {
        switch (line, column) {
        case let (line?, column?): "\(line):\(column): \(message)"
        case let (line?, nil): "\(line): \(message)"
        default: message
        }
    }
}
