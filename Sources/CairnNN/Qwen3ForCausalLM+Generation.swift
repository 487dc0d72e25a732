import CairnCore
import CairnTensor
import Foundation

/// How ``Qwen3ForCausalLM/generate(prompt:options:stopTokens:)`` picks each next token.
public struct SamplingOptions: Hashable, Sendable {
    /// The most tokens to add.
    public var maxNewTokens: Int
    /// 0 picks the most likely token (greedy); above 0 samples from softmax(logits / temperature).
    public var temperature: Float
    /// When above 0, samples only among the `topK` most likely tokens.
    public var topK: Int
    /// The seed of the sampling stream.
    public var seed: UInt64

    /// Creates options; the defaults decode greedily.
    public init(maxNewTokens: Int = 64, temperature: Float = 0, topK: Int = 0, seed: UInt64 = 0) {
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topK = topK
        self.seed = seed
    }
}

extension Qwen3ForCausalLM {
    /// Continues `prompt` token by token until a stop token, `maxNewTokens`, or the position limit; returns the new
    /// tokens (the stop token excluded).
    ///
    /// Each step recomputes the whole sequence: simple and exact, and fast enough for the short answers of small
    /// models; no tape is recorded.
    public func generate(prompt: [Int32], options: SamplingOptions, stopTokens: Set<Int32>) async throws -> [Int32] {
        var tokens = prompt
        var generated: [Int32] = []
        var generator = PhiloxRandom(seed: options.seed, label: "generate")
        let limit = min(prompt.count + options.maxNewTokens, configuration.maxPositionEmbeddings)
        while tokens.count < limit {
            let logits = try await self.logits(tokens: tokens, batchSize: 1, sequenceLength: tokens.count)
            let vocabulary = configuration.vocabularySize
            let last = logits.withUnsafeBufferPointer { Array($0[(tokens.count - 1) * vocabulary..<tokens.count * vocabulary]) }
            let next = Self.pick(from: last, options: options, generator: &generator)
            if stopTokens.contains(next) { break }
            tokens.append(next)
            generated.append(next)
        }
        return generated
    }

    static func pick(from logits: [Float], options: SamplingOptions, generator: inout PhiloxRandom) -> Int32 {
        let ranked = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        guard options.temperature > 0 else { return Int32(ranked[0]) }
        let candidates = options.topK > 0 ? Array(ranked.prefix(options.topK)) : ranked
        let top = logits[candidates[0]]
        let weights = candidates.map { Double(exp((logits[$0] - top) / options.temperature)) }
        var target = Double(generator.nextUniform()) * weights.reduce(0, +)
        for (candidate, weight) in zip(candidates, weights) {
            target -= weight
            if target < 0 { return Int32(candidate) }
        }
        return Int32(candidates[candidates.count - 1])
    }
}
