/// Qwen2's pre-tokenizer split, hand-written: the same pieces as the expression ``PreTokenizer/qwen2Pattern``,
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
///
/// matched per Unicode scalar as Oniguruma does. At each position the alternatives are tried in order, each with
/// the backtracking the regex engine would do, worked out once by hand (see the comments in ``matchEnd(at:)``).
/// `\s` is the Unicode `White_Space` property, `\p{L}` the letter categories and `\p{N}` the number categories;
/// `(?i)` folds case as Oniguruma does for these letters (including `ſ`, U+017F, which folds to `s`).
enum Qwen2Splitter {
    /// What the expression distinguishes about a scalar.
    private enum Kind: UInt8 {
        case letter, number, newline, space, whitespace, other
    }

    private struct Scalars {
        var values: [UInt32] = []
        var kinds: [Kind] = []
        /// The UTF-8 offset of each scalar, plus the total length at the end.
        var offsets: [Int] = []
    }

    /// The UTF-8 byte ranges of the pieces of `bytes` (valid UTF-8), in order and without gaps.
    static func split(_ bytes: [UInt8]) -> [Range<Int>] {
        let scalars = decode(bytes)
        var ranges: [Range<Int>] = []
        var index = 0
        while index < scalars.kinds.count {
            let end = matchEnd(at: index, in: scalars)
            ranges.append(scalars.offsets[index]..<scalars.offsets[end])
            index = end
        }
        return ranges
    }

    // MARK: - Matching

    private static func matchEnd(at start: Int, in scalars: Scalars) -> Int {
        let kinds = scalars.kinds
        let count = kinds.count
        // (?i:'s|'t|'re|'ve|'m|'ll|'d): the alternatives start with distinct letters, so no ordering issue.
        if scalars.values[start] == 0x27, start + 1 < count {
            switch folded(scalars.values[start + 1]) {
            case 0x73, 0x74, 0x6D, 0x64: return start + 2  // s t m d
            case 0x72, 0x76:  // r v, then e
                if start + 2 < count, folded(scalars.values[start + 2]) == 0x65 { return start + 3 }
            case 0x6C:  // l, then l
                if start + 2 < count, folded(scalars.values[start + 2]) == 0x6C { return start + 3 }
            default: break
            }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+: the optional class cannot take a letter, so a letter starts the run itself.
        if kinds[start] == .letter { return end(of: .letter, from: start, in: kinds) }
        if kinds[start] != .newline, kinds[start] != .number, start + 1 < count, kinds[start + 1] == .letter {
            return end(of: .letter, from: start + 1, in: kinds)
        }
        // \p{N}: one digit at a time.
        if kinds[start] == .number { return start + 1 }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*': the optional space first, else the run starts here.
        if kinds[start] == .space, start + 1 < count, kinds[start + 1] == .other {
            return end(of: .newline, from: end(of: .other, from: start + 1, in: kinds), in: kinds)
        }
        if kinds[start] == .other {
            return end(of: .newline, from: end(of: .other, from: start, in: kinds), in: kinds)
        }
        // Whitespace. \s*[\r\n]+ : \s* backs off from the end of the run to the last newline in it.
        let runEnd = endOfWhitespace(from: start, in: kinds)
        if let lastNewline = (start..<runEnd).last(where: { kinds[$0] == .newline }) { return lastNewline + 1 }
        // \s+(?!\S): the whole run at the end of the text, else the run minus the space before the next word.
        if runEnd == count { return runEnd }
        if runEnd - start >= 2 { return runEnd - 1 }
        // \s+
        return runEnd
    }

    private static func end(of kind: Kind, from start: Int, in kinds: [Kind]) -> Int {
        var index = start
        while index < kinds.count, kinds[index] == kind { index += 1 }
        return index
    }

    private static func endOfWhitespace(from start: Int, in kinds: [Kind]) -> Int {
        var index = start
        while index < kinds.count, kinds[index] == .newline || kinds[index] == .space || kinds[index] == .whitespace {
            index += 1
        }
        return index
    }

    /// ASCII lowercase, and the long s (U+017F) as `s`: the case folds that matter for the contractions.
    private static func folded(_ value: UInt32) -> UInt32 {
        switch value {
        case 0x41...0x5A: value + 0x20
        case 0x17F: 0x73
        default: value
        }
    }

    // MARK: - Decoding

    private static func decode(_ bytes: [UInt8]) -> Scalars {
        var scalars = Scalars()
        scalars.values.reserveCapacity(bytes.count)
        scalars.kinds.reserveCapacity(bytes.count)
        scalars.offsets.reserveCapacity(bytes.count + 1)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            var value = length == 1 ? UInt32(lead) : UInt32(lead) & (0xFF >> UInt32(length + 1))
            for offset in 1..<max(length, 1) where index + offset < bytes.count {
                value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
            }
            scalars.values.append(value)
            scalars.kinds.append(kind(of: value))
            scalars.offsets.append(index)
            index += length
        }
        scalars.offsets.append(bytes.count)
        return scalars
    }

    private static let asciiKinds: [Kind] = (0..<128).map { value in
        switch value {
        case 0x41...0x5A, 0x61...0x7A: .letter
        case 0x30...0x39: .number
        case 0x0A, 0x0D: .newline
        case 0x20: .space
        case 0x09, 0x0B, 0x0C: .whitespace
        default: .other
        }
    }

    private static func kind(of value: UInt32) -> Kind {
        if value < 128 { return asciiKinds[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }
}
