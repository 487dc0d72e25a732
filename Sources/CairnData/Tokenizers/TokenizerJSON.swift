internal import CairnJSON

/// Reads the parts of a Hugging Face `tokenizer.json` that ``BPETokenizer`` supports, rejecting the rest.
enum TokenizerJSON {
    /// An entry of `added_tokens`.
    struct AddedToken {
        var id: Int32
        var content: String
        var isSpecial: Bool
    }

    static func object(_ value: JSONValue, field: String) throws(DataError) -> JSONObject {
        guard let object = value.objectValue else {
            throw DataError(
                .invalidTokenizer, field: field.isEmpty ? nil : field,
                "expected an object, found \(value.kindDescription)")
        }
        return object
    }

    static func checkModelOptions(_ model: JSONObject) throws(DataError) {
        let type = model["type"]?.stringValue ?? "BPE"
        guard type == "BPE" else {
            throw DataError(.invalidTokenizer, field: "model.type", "only BPE models are supported, found \(type)")
        }
        if let dropout = model["dropout"]?.numberValue, dropout.doubleValue != 0 {
            throw DataError(.invalidTokenizer, field: "model.dropout", "BPE dropout is not supported")
        }
        if model["byte_fallback"]?.boolValue == true {
            throw DataError(
                .invalidTokenizer, field: "model.byte_fallback",
                "byte fallback (SentencePiece-style BPE) is not supported; Cairn reads byte-level BPE")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = model[key]?.stringValue, !affix.isEmpty {
                throw DataError(.invalidTokenizer, field: "model.\(key)", "subword affixes are not supported")
            }
        }
    }

    static func vocabulary(_ model: JSONObject) throws(DataError) -> [String: Int32] {
        let entries = try object(model["vocab"] ?? .null, field: "model.vocab")
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(entries.count)
        for member in entries {
            let token = member.key
            guard let id = member.value.numberValue?.integralValue, (0..<Int(Int32.max)).contains(id) else {
                throw DataError(
                    .invalidTokenizer, field: "model.vocab", "the id of \"\(token)\" is not a non-negative integer")
            }
            vocabulary[token] = Int32(id)
        }
        return vocabulary
    }

    static func merges(_ model: JSONObject) throws(DataError) -> [(String, String)] {
        guard let entries = model["merges"]?.arrayValue else {
            throw DataError(.invalidTokenizer, field: "model.merges", "missing the merges list")
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if let text = entry.stringValue {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw DataError(
                        .invalidTokenizer, field: "model.merges[\(index)]",
                        "expected \"left right\", found \"\(text)\"")
                }
                merges.append((String(parts[0]), String(parts[1])))
            } else if let pair = entry.arrayValue, pair.count == 2, let left = pair[0].stringValue,
                let right = pair[1].stringValue
            {
                merges.append((left, right))
            } else {
                throw DataError(
                    .invalidTokenizer, field: "model.merges[\(index)]",
                    "expected a \"left right\" string or a [left, right] pair, found \(entry.kindDescription)")
            }
        }
        return merges
    }

    static func normalizesNFC(_ normalizer: JSONValue) throws(DataError) -> Bool {
        if normalizer == .null { return false }
        let object = try object(normalizer, field: "normalizer")
        switch object["type"]?.stringValue {
        case "NFC":
            return true
        case "Sequence":
            let steps = object["normalizers"]?.arrayValue ?? []
            guard steps.allSatisfy({ $0.objectValue?["type"]?.stringValue == "NFC" }) else { break }
            return !steps.isEmpty
        default:
            break
        }
        throw DataError(
            .invalidTokenizer, field: "normalizer",
            "only the NFC normalizer is supported, found \(object["type"]?.stringValue ?? "an unnamed normalizer")")
    }

    /// The split and whether a space is prepended to each text segment.
    static func preTokenizer(_ value: JSONValue) throws(DataError) -> (PreTokenizer, Bool) {
        let object = try object(value, field: "pre_tokenizer")
        switch object["type"]?.stringValue {
        case "ByteLevel" where object["use_regex"]?.boolValue ?? true:
            return (try PreTokenizer(pattern: PreTokenizer.gpt2Pattern), object["add_prefix_space"]?.boolValue ?? false)
        case "Sequence":
            let steps = (object["pretokenizers"]?.arrayValue ?? []).compactMap(\.objectValue)
            if steps.count == 2, steps[0]["type"]?.stringValue == "Split", steps[1]["type"]?.stringValue == "ByteLevel",
                steps[1]["use_regex"]?.boolValue == false,
                let pattern = steps[0]["pattern"]?.objectValue?["Regex"]?.stringValue
            {
                guard steps[0]["behavior"]?.stringValue == "Isolated", steps[0]["invert"]?.boolValue != true else {
                    throw DataError(
                        .invalidTokenizer, field: "pre_tokenizer.pretokenizers[0]",
                        "only the Isolated split behaviour without invert is supported")
                }
                return (try PreTokenizer(pattern: pattern), steps[1]["add_prefix_space"]?.boolValue ?? false)
            }
        default:
            break
        }
        throw DataError(
            .invalidTokenizer, field: "pre_tokenizer",
            "expected ByteLevel (use_regex: true) or Sequence[Split(Regex, Isolated), ByteLevel (use_regex: false)]"
                + " as GPT-2 and Qwen2 use, found \(object["type"]?.stringValue ?? "an unnamed pre-tokenizer")")
    }

    static func checkDecoder(_ decoder: JSONValue) throws(DataError) {
        guard decoder != .null else { return }
        let type = try object(decoder, field: "decoder")["type"]?.stringValue
        guard type == "ByteLevel" else {
            throw DataError(
                .invalidTokenizer, field: "decoder", "only the ByteLevel decoder is supported, found \(type ?? "none")")
        }
    }

    static func addedTokens(_ value: JSONValue) throws(DataError) -> [AddedToken] {
        guard let entries = value.arrayValue else {
            throw DataError(
                .invalidTokenizer, field: "added_tokens", "expected an array, found \(value.kindDescription)")
        }
        var tokens: [AddedToken] = []
        for (index, entry) in entries.enumerated() {
            let field = "added_tokens[\(index)]"
            let fields = try object(entry, field: field)
            guard let id = fields["id"]?.numberValue?.integralValue, (0...Int(Int32.max)).contains(id), let content = fields["content"]?.stringValue,
                !content.isEmpty
            else {
                throw DataError(.invalidTokenizer, field: field, "expected a non-negative id and a non-empty content")
            }
            for option in ["lstrip", "rstrip", "single_word"] where fields[option]?.boolValue == true {
                throw DataError(.invalidTokenizer, field: "\(field).\(option)", "is not supported")
            }
            tokens.append(AddedToken(id: Int32(id), content: content, isSpecial: fields["special"]?.boolValue ?? false))
        }
        return tokens
    }
}
