import CairnCore
public import Foundation

/// The architecture of a Qwen3-style decoder, read from a Hugging Face `config.json`.
///
/// Only what Cairn implements is accepted: `model_type: qwen3`, SiLU, no attention bias, plain RoPE (no
/// scaling), no sliding window. Anything else is refused with an error naming the field, rather than trained
/// wrongly. Both transformers 4 (`rope_theta`) and 5 (`rope_parameters.rope_theta`) spellings are read.
public struct Qwen3Configuration: Hashable, Sendable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var attentionHeadCount: Int
    public var keyValueHeadCount: Int
    public var headDimension: Int
    public var rmsNormEpsilon: Double
    public var ropeTheta: Double
    public var maxPositionEmbeddings: Int
    public var tiesWordEmbeddings: Bool
    public var initializerRange: Double
    /// The id generation stops at, if the config names one.
    public var endOfSequenceTokenID: Int?

    /// Creates a configuration; `headDimension` defaults to `hiddenSize / attentionHeadCount`.
    public init(
        vocabularySize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int, attentionHeadCount: Int,
        keyValueHeadCount: Int, headDimension: Int? = nil, rmsNormEpsilon: Double = 1e-6, ropeTheta: Double = 1e6,
        maxPositionEmbeddings: Int = 4096, tiesWordEmbeddings: Bool = true, initializerRange: Double = 0.02,
        endOfSequenceTokenID: Int? = nil
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.attentionHeadCount = attentionHeadCount
        self.keyValueHeadCount = keyValueHeadCount
        self.headDimension = headDimension ?? hiddenSize / max(1, attentionHeadCount)
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tiesWordEmbeddings = tiesWordEmbeddings
        self.initializerRange = initializerRange
        self.endOfSequenceTokenID = endOfSequenceTokenID
    }

    /// Reads `config.json` from `path` (a file, or a folder containing one).
    /// - Throws: ``ConfigurationError`` `.missingFile`, `.malformedInput`, `.invalidValue`.
    public static func load(contentsOf path: String) throws -> Qwen3Configuration {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? (path as NSString).appendingPathComponent("config.json") : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(.missingFile, keyPath: "model", "cannot read \(file): a Hugging Face model folder needs a config.json")
        }
        return try decode(data, file: file)
    }

    /// Decodes `config.json` bytes; `file` names them in errors.
    public static func decode(_ data: Data, file: String) throws -> Qwen3Configuration {
        let raw: RawConfig
        do {
            raw = try JSONDecoder().decode(RawConfig.self, from: data)
        } catch {
            throw ConfigurationError(.malformedInput, keyPath: nil, "\(file) is not a valid model config.json", cause: error)
        }
        return try raw.validated(file: file)
    }

    /// The number of parameters (tied embeddings counted once).
    public var parameterCount: Int {
        let attention = hiddenSize * (attentionHeadCount + 2 * keyValueHeadCount) * headDimension
            + attentionHeadCount * headDimension * hiddenSize + 2 * headDimension
        let layer = attention + 3 * hiddenSize * intermediateSize + 2 * hiddenSize
        return vocabularySize * hiddenSize * (tiesWordEmbeddings ? 1 : 2) + layerCount * layer + hiddenSize
    }

    /// The `config.json` Hugging Face transformers writes for this architecture (float32 weights).
    public func huggingFaceJSON() -> [String: Any] {
        var json: [String: Any] = [
            "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": vocabularySize,
            "hidden_size": hiddenSize, "intermediate_size": intermediateSize, "num_hidden_layers": layerCount,
            "num_attention_heads": attentionHeadCount, "num_key_value_heads": keyValueHeadCount,
            "head_dim": headDimension, "rms_norm_eps": rmsNormEpsilon, "rope_theta": ropeTheta,
            "max_position_embeddings": maxPositionEmbeddings, "tie_word_embeddings": tiesWordEmbeddings,
            "initializer_range": initializerRange, "hidden_act": "silu", "attention_bias": false,
            "attention_dropout": 0.0, "rope_scaling": NSNull(), "use_sliding_window": false,
            "sliding_window": NSNull(), "torch_dtype": "float32", "use_cache": true,
        ]
        if let endOfSequenceTokenID { json["eos_token_id"] = endOfSequenceTokenID }
        return json
    }
}

/// The subset of `config.json` Cairn reads; every other field is ignored.
private struct RawConfig: Decodable {
    struct RopeParameters: Decodable {
        var rope_theta: Double?
        var rope_type: String?
    }

    var model_type: String?
    var vocab_size: Int?
    var hidden_size: Int?
    var intermediate_size: Int?
    var num_hidden_layers: Int?
    var num_attention_heads: Int?
    var num_key_value_heads: Int?
    var head_dim: Int?
    var rms_norm_eps: Double?
    var rope_theta: Double?
    var rope_parameters: RopeParameters?
    var rope_scaling: RopeParameters?
    var max_position_embeddings: Int?
    var tie_word_embeddings: Bool?
    var initializer_range: Double?
    var hidden_act: String?
    var attention_bias: Bool?
    var use_sliding_window: Bool?
    var eos_token_id: EndOfSequence?

    enum EndOfSequence: Decodable {
        case one(Int), many([Int])
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { self = .one(value) } else {
                self = .many(try container.decode([Int].self))
            }
        }
        var first: Int? {
            switch self {
            case .one(let id): id
            case .many(let ids): ids.first
            }
        }
    }

    func validated(file: String) throws -> Qwen3Configuration {
        func require<T>(_ value: T?, _ key: String) throws -> T {
            guard let value else { throw ConfigurationError(.missingKey, keyPath: key, "\(file) has no '\(key)'") }
            return value
        }
        func invalid(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, keyPath: key, "\(file): \(message)")
        }
        guard model_type == "qwen3" else {
            throw invalid("model_type", "model_type '\(model_type ?? "none")' is not supported; Cairn implements 'qwen3'")
        }
        if let hidden_act, hidden_act != "silu" { throw invalid("hidden_act", "hidden_act '\(hidden_act)' is not supported (silu only)") }
        if attention_bias == true { throw invalid("attention_bias", "attention_bias: true is not supported") }
        if use_sliding_window == true { throw invalid("use_sliding_window", "sliding-window attention is not supported") }
        if let type = rope_parameters?.rope_type ?? rope_scaling?.rope_type, type != "default" {
            throw invalid("rope_parameters", "RoPE scaling '\(type)' is not supported (default RoPE only)")
        }
        let configuration = Qwen3Configuration(
            vocabularySize: try require(vocab_size, "vocab_size"), hiddenSize: try require(hidden_size, "hidden_size"),
            intermediateSize: try require(intermediate_size, "intermediate_size"),
            layerCount: try require(num_hidden_layers, "num_hidden_layers"),
            attentionHeadCount: try require(num_attention_heads, "num_attention_heads"),
            keyValueHeadCount: num_key_value_heads ?? num_attention_heads ?? 0, headDimension: head_dim,
            rmsNormEpsilon: rms_norm_eps ?? 1e-6,
            ropeTheta: rope_parameters?.rope_theta ?? rope_theta ?? 10_000,
            maxPositionEmbeddings: max_position_embeddings ?? 4096, tiesWordEmbeddings: tie_word_embeddings ?? true,
            initializerRange: initializer_range ?? 0.02, endOfSequenceTokenID: eos_token_id?.first)
        let c = configuration
        for (key, value) in [("vocab_size", c.vocabularySize), ("hidden_size", c.hiddenSize),
                             ("intermediate_size", c.intermediateSize), ("num_hidden_layers", c.layerCount),
                             ("num_attention_heads", c.attentionHeadCount), ("num_key_value_heads", c.keyValueHeadCount),
                             ("head_dim", c.headDimension)] where value < 1 || value > 1 << 20 {
            throw invalid(key, "\(key) = \(value) is out of range")
        }
        guard c.attentionHeadCount % c.keyValueHeadCount == 0 else {
            throw invalid("num_key_value_heads", "num_attention_heads \(c.attentionHeadCount) is not a multiple of num_key_value_heads \(c.keyValueHeadCount)")
        }
        guard c.headDimension % 2 == 0 else { throw invalid("head_dim", "head_dim \(c.headDimension) must be even for RoPE") }
        return configuration
    }
}
