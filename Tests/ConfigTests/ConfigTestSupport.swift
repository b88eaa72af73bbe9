import Testing
@testable import Config

/// The file name the tests pass to `parse`, so messages look like the daemon's.
let testFile = "/etc/smallbmsd/smallbmsd.toml"

/// The configuration the text gives, failing the test (with every message) when it is refused.
func accepted(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Configuration? {
    do {
        return try ConfigurationLoader.parse(text, file: testFile)
    } catch {
        Issue.record("refused:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The error the text gives, failing the test when it is accepted.
func refused(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationError? {
    do {
        let configuration = try ConfigurationLoader.parse(text, file: testFile)
        Issue.record("accepted, expected a refusal: \(configuration)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The one problem the text has; fails the test when there are none or several.
func onlyProblem(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationProblem? {
    guard let error = refused(text, sourceLocation: sourceLocation) else { return nil }
    guard error.problems.count == 1 else {
        Issue.record("expected one problem, got \(error.problems.count):\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
    return error.problems[0]
}

/// The package root, found from this file's place in it (`Tests/ConfigTests/`).
func packageRoot(filePath: String = #filePath) -> String {
    var components = filePath.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)
    return components.joined(separator: "/")
}

/// The commented sample the project ships, `config/smallbmsd.toml`.
var samplePath: String { packageRoot() + "/config/smallbmsd.toml" }
