/// "Did you mean ...?": the known name closest to a misspelt one.
enum NameSuggester {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo.
    ///
    /// A candidate that is a prefix of the name (or the other way round) also counts, because
    /// a spelt-out unit (`prealarm_volts` for `prealarm_v`) is the commonest slip.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            let allowed = max(2, max(name.count, candidate.count) / 3)
            let related = candidate.count >= 3 && (lowered.hasPrefix(candidate) || candidate.hasPrefix(lowered))
            guard distance <= allowed || related else { continue }
            if let best, best.distance <= distance { continue }
            best = (candidate, distance)
        }
        return best?.candidate
    }

    /// Levenshtein distance: insertions, deletions and substitutions of one character each.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs), right = Array(rhs)
        guard !left.isEmpty else { return right.count }
        guard !right.isEmpty else { return left.count }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}
