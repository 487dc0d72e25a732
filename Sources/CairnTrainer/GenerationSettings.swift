import Foundation

/// `cairn.json` beside a saved model: which tokenizer and chat template it was trained with, so
/// `cairn generate` talks to it the same way.
public struct GenerationSettings: Codable, Hashable, Sendable {
    /// `byte`, or a tokenizer file name inside the model folder.
    public var tokenizer: String
    /// The chat template name.
    public var template: String
    /// For a LoRA adapter folder: the base model folder the adapter applies to.
    public var baseModel: String?

    /// The file name.
    public static let fileName = "cairn.json"

    enum CodingKeys: String, CodingKey {
        case tokenizer, template
        case baseModel = "base_model"
    }

    /// Creates settings.
    public init(tokenizer: String, template: String, baseModel: String? = nil) {
        self.tokenizer = tokenizer
        self.template = template
        self.baseModel = baseModel
    }

    /// Writes `cairn.json` into `folder`.
    public func write(toFolder folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder + "/" + Self.fileName), options: .atomic)
    }

    /// Reads `cairn.json` from `folder`; when absent, a model folder with a `tokenizer.json` uses it with the
    /// `qwen3_nothink` template.
    public static func read(fromFolder folder: String) throws -> GenerationSettings {
        if let data = FileManager.default.contents(atPath: folder + "/" + fileName) {
            return try JSONDecoder().decode(GenerationSettings.self, from: data)
        }
        let tokenizer = FileManager.default.fileExists(atPath: folder + "/tokenizer.json") ? "tokenizer.json" : "byte"
        return GenerationSettings(tokenizer: tokenizer, template: "qwen3_nothink")
    }
}
