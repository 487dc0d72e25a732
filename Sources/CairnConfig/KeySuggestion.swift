/// Finds the key a user probably meant ("did you mean 'learning_rate'?").
enum KeySuggestion {
    // MARK: - Public API

    /// The candidate closest to `unknown`, if one is close enough to be a likely typo.
    ///
    /// Close means: equal ignoring case and underscores (`learningRate` → `learning_rate`), or within an
    /// optimal-string-alignment distance of about a third of the length (at least 1, at most 3), or — for keys
    /// of four or more characters — one containing the other (`micro_batch` → `micro_batch_size`).
    static func closest(to unknown: String, among candidates: [String]) -> String? {
        guard unknown.count <= maximumKeyLength else { return nil }
        let folded = fold(unknown)
        if let match = candidates.first(where: { fold($0) == folded }) { return match }
        let limit = max(1, min(3, unknown.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(unknown, candidate)
            if distance <= limit, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        if let best { return best.candidate }
        guard unknown.count >= 4 else { return nil }
        return candidates.first { $0.contains(unknown) || (unknown.contains($0) && $0.count >= 4) }
    }

    /// A key that `accepts` when the candidates cannot be listed: tries spellings one edit away from
    /// `unknown` (and its snake_case form) in a fixed order and returns the first accepted one.
    static func probe(_ unknown: String, accepts: (String) -> Bool) -> String? {
        guard unknown.count <= maximumKeyLength else { return nil }
        let snake = snakeCase(unknown)
        for variant in [snake, unknown.lowercased(), unknown.replacingOccurrences(of: "_", with: "")]
        where variant != unknown && accepts(variant) {
            return variant
        }
        let characters = Array(unknown)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_")
        var variants: [String] = []
        for index in characters.indices {
            var deleted = characters
            deleted.remove(at: index)
            variants.append(String(deleted))
            if index + 1 < characters.count {
                var swapped = characters
                swapped.swapAt(index, index + 1)
                variants.append(String(swapped))
            }
        }
        for index in 0...characters.count {
            for letter in alphabet {
                var inserted = characters
                inserted.insert(letter, at: index)
                variants.append(String(inserted))
                if index < characters.count, characters[index] != letter {
                    var replaced = characters
                    replaced[index] = letter
                    variants.append(String(replaced))
                }
            }
        }
        return variants.first { $0 != unknown && accepts($0) }
    }

    // MARK: - Helpers

    /// Longer keys are not typos of configuration keys; skipping them bounds the work on hostile input.
    private static let maximumKeyLength = 64

    /// The optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }

    private static func fold(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// `learningRate` → `learning_rate`.
    private static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                if !result.isEmpty && !result.hasSuffix("_") { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension String {
    /// `self` with every `target` replaced by `replacement` (no Foundation).
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
