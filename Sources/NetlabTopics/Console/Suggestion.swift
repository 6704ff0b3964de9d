/// Finds the valid word closest to a mistyped one, for "did you mean" hints.
package enum Suggestion {
    /// The candidate with the smallest edit distance to `word`, ties going to the earlier one.
    /// A candidate that begins with the word (`time` for `timestamp`) wins over a merely similar one, and one
    /// with the word's first letter over one without.
    package static func closest(to word: String, in candidates: [String]) -> String? {
        let trimmed = word.drop { $0 == "-" }
        // A one-letter short option (-v, -p) most likely stands for the long one with that initial.
        if word.hasPrefix("-"), !word.hasPrefix("--"), trimmed.count == 1,
            let long = candidates.first(where: { $0.hasPrefix("--" + trimmed.lowercased()) })
        {
            return long
        }
        if trimmed.count >= 2, let prefixed = candidates.first(where: { $0.drop { $0 == "-" }.hasPrefix(trimmed) }) {
            return prefixed
        }
        // A mistyped word rarely has the wrong first letter: `hi` means `hello`, though `echo` is fewer edits away.
        let initial = trimmed.first.map { Character($0.lowercased()) }
        let sameInitial = candidates.filter { candidate in
            candidate.drop { $0 == "-" }.first.map { Character($0.lowercased()) } == initial
        }
        return (sameInitial.isEmpty ? candidates : sameInitial).min { editDistance(word, $0) < editDistance(word, $1) }
    }

    /// Levenshtein distance: the fewest insertions, deletions and substitutions from `a` to `b`.
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased())
        let b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, charA) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, charB) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (charA == charB ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
