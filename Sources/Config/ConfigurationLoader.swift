import TOMLKit

/// Turns a configuration file into a validated ``Configuration``, or into every problem it has.
public struct ConfigurationLoader {
    /// Where the daemon looks when no `--config` is given.
    public static let defaultPath = "/etc/smallbmsd/smallbmsd.toml"

    /// Reads and validates the file at `path`.
    ///
    /// A file that cannot be read is one problem without a line that names the cause: missing
    /// file or directory, or permission denied with the user the daemon runs as and the file's
    /// owner and mode.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        switch ConfigurationFileReader.contents(ofFile: path) {
        case .success(let text):
            var configuration = try parse(text, file: path)
            // Key files are files too: read here, not in the pure parse.
            try KeyFileReader.resolve(&configuration, file: path, lines: SourceLineIndex(text: text))
            return configuration
        case .failure(let problem):
            throw ConfigurationError(file: path, problems: [ConfigurationProblem(key: nil, line: nil, message: problem.message)])
        }
    }

    /// Validates configuration text; `file` is only used to name the file in messages.
    ///
    /// Pure: no file system, no clock. An empty text is valid and gives `Configuration()`.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        // TOMLKit hands the text to C++ as a C string: a NUL would silently cut the file short.
        if let nul = text.firstIndex(of: "\0") {
            let line = text[..<nul].reduce(1) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
            throw ConfigurationError(file: file, problems: [
                ConfigurationProblem(key: nil, line: line, message: "TOML syntax error: a NUL character is not allowed"),
            ])
        }
        // Some syntax errors make toml++ abort the process instead of reporting them.
        if let problem = TOMLPreflight.firstProblem(in: text) {
            throw ConfigurationError(file: file, problems: [
                ConfigurationProblem(
                    key: nil, line: problem.line, column: problem.column,
                    message: "TOML syntax error: \(problem.message)"
                ),
            ])
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, problems: [
                ConfigurationProblem(
                    key: nil, line: error.source.begin.line, column: error.source.begin.column,
                    message: "TOML syntax error: \(error.description)"
                ),
            ])
        } catch {
            throw ConfigurationError(file: file, problems: [
                ConfigurationProblem(key: nil, line: nil, message: "TOML syntax error: \(error)"),
            ])
        }

        var validator = ConfigurationValidator(schema: ConfigurationSchema(), lines: SourceLineIndex(text: text))
        validator.validate(root)
        let problems = validator.sortedProblems
        guard problems.isEmpty else { throw ConfigurationError(file: file, problems: problems) }
        return validator.configuration
    }
}
