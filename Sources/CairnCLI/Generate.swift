import ArgumentParser
import Cairn
import CairnData
import CairnNN
import Foundation

/// `cairn generate MODEL_DIR --prompt …`.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Answer prompts with a trained model.")

    @Argument(help: "A model folder written by `cairn train` (or any Hugging Face Qwen3 folder).")
    var modelDirectory: String

    @Option(name: .customLong("prompt"), help: "A user message; repeat for several.")
    var prompts: [String]

    @Option(help: "The most tokens to generate per prompt.")
    var maxNewTokens = 64

    @Option(help: "0 decodes greedily; above 0 samples at this temperature.")
    var temperature: Float = 0

    @Option(help: "When sampling, only among this many most likely tokens (0: all).")
    var topK = 0

    @Option(help: "The sampling seed.")
    var seed: UInt64 = 0

    @Flag(help: "Feed the prompt as plain text, without the chat template.")
    var raw = false

    @Option(help: "For a LoRA adapter folder: the base model it applies to (default: the one the adapter names).")
    var baseModel: String?

    func validate() throws {
        guard !prompts.isEmpty else { throw ValidationError("give at least one --prompt") }
        guard maxNewTokens > 0 else { throw ValidationError("--max-new-tokens must be positive") }
        guard temperature >= 0 else { throw ValidationError("--temperature must not be negative") }
    }

    func run() async throws {
        _ = try CommandSupport.makeLogger(level: "warning")
        try await CommandSupport.reportingErrors {
            try CommandSupport.loadBLAS()
            let settings = try GenerationSettings.read(fromFolder: modelDirectory)
            let tokenizer = try TokenizerLoader.load(
                settings.tokenizer == TokenizerLoader.byteTokenizerName
                    ? settings.tokenizer : modelDirectory + "/" + settings.tokenizer)
            let template = try ChatTemplate(named: settings.template)
            let model = try Self.loadModel(modelDirectory, settings: settings, baseModel: baseModel)
            var stops = Set([SpecialToken.imEnd, SpecialToken.endOfText].compactMap { tokenizer.specialTokenID($0) })
            if let eos = model.configuration.endOfSequenceTokenID { stops.insert(Int32(eos)) }
            let options = SamplingOptions(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, seed: seed)
            for prompt in prompts {
                let text = raw ? prompt
                    : template.generationPrompt(for: Conversation([ChatMessage(role: .user, content: prompt)]))
                let answer = try await model.generate(prompt: tokenizer.encode(text), options: options, stopTokens: stops)
                print("> \(prompt)\n\(tokenizer.decode(answer))\n")
            }
        }
    }

    /// A model folder, or a LoRA adapter folder applied to its base (`cairn.json`'s `base_model`, else the adapter
    /// config's `base_model_name_or_path`).
    static func loadModel(_ folder: String, settings: GenerationSettings, baseModel: String? = nil) throws -> Qwen3ForCausalLM {
        guard FileManager.default.fileExists(atPath: folder + "/" + PEFTAdapterConfig.fileName) else {
            let model = Qwen3ForCausalLM(configuration: try Qwen3Configuration.load(contentsOf: folder))
            try model.loadWeights(fromFolder: folder)
            return model
        }
        let (lora, recordedBase) = try PEFTAdapterConfig.read(folder: folder)
        guard let base = baseModel ?? settings.baseModel ?? recordedBase else {
            throw ValidationError("\(folder) is a LoRA adapter but names no base model")
        }
        let model = Qwen3ForCausalLM(configuration: try Qwen3Configuration.load(contentsOf: base))
        guard Qwen3ForCausalLM.hasWeights(inFolder: base) else {
            throw ValidationError("the adapter's base \(base) has no weights; export a merged model with `cairn export --to hf --merge`")
        }
        try model.loadWeights(fromFolder: base)
        try model.attachLoRA(targets: lora.targetModules, rank: lora.rank, alpha: lora.alpha, dropout: 0, seed: 0,
                             randomness: nil)
        try model.loadAdapters(fromFolder: folder)
        return model
    }
}
