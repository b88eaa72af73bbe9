/// Why a configuration file was refused: every problem found in it, not just the first.
///
/// The description is one `file:line: message` line per problem, in the order of the file,
/// the form editors and `grep -n` use, so an installer can jump straight to each line.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// The file as named by the caller (the `--config` path, or the default path).
    public var file: String
    /// The problems, in the order of their lines; problems with no line come first.
    public var problems: [ConfigurationProblem]

    /// An error about `file` with the given problems.
    public init(file: String, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    /// One `file:line: message` line per problem.
    public var description: String {
        problems.map { $0.line == nil ? "\(file): \($0.message)" : "\(file):\($0)" }.joined(separator: "\n")
    }
}
