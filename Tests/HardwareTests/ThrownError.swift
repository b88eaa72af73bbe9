import Testing

/// The error `body` throws when it is an `E`, else `nil` with an issue recorded: what
/// `let error = #expect(throws: E.self) { ... }` returns from Swift Testing 6.1 on. Debian 13's
/// `swiftlang` (6.0.3) has only the `Void` form, and the package must build and test with it.
func thrownError<E: Error, R>(
    _ type: E.Type, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R
) -> E? {
    do {
        _ = try body()
    } catch let error as E {
        return error
    } catch {
        Issue.record("expected a \(E.self) to be thrown, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
    Issue.record("expected a \(E.self) to be thrown, nothing was", sourceLocation: sourceLocation)
    return nil
}
