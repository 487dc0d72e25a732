public import CairnNN

/// A model and batch shape to time (DESIGN.md §10).
public struct BenchmarkShape: Sendable, Hashable {
    /// A short name, `tiny` or `small`.
    public var name: String
    /// The architecture.
    public var model: Qwen3Configuration
    /// Sequences per step.
    public var batchSize: Int
    /// Tokens per sequence.
    public var sequenceLength: Int

    /// Hidden 256, 4 layers, 4 heads / 2 KV heads, MLP 768, vocab 2048, seq 256, batch 8.
    public static let tiny = BenchmarkShape(
        name: "tiny",
        model: Qwen3Configuration(vocabularySize: 2048, hiddenSize: 256, intermediateSize: 768, layerCount: 4,
                                  attentionHeadCount: 4, keyValueHeadCount: 2, maxPositionEmbeddings: 256,
                                  tiesWordEmbeddings: false),
        batchSize: 8, sequenceLength: 256)

    /// Hidden 512, 8 layers, 8 heads / 4 KV heads, MLP 1536, vocab 8192, seq 256, batch 4.
    public static let small = BenchmarkShape(
        name: "small",
        model: Qwen3Configuration(vocabularySize: 8192, hiddenSize: 512, intermediateSize: 1536, layerCount: 8,
                                  attentionHeadCount: 8, keyValueHeadCount: 4, maxPositionEmbeddings: 256,
                                  tiesWordEmbeddings: false),
        batchSize: 4, sequenceLength: 256)

    /// Weights that take part in matrix products: every linear layer and the output head (the embedding lookup
    /// is not a product; a tied head counts once, as the head).
    public var matmulParameterCount: Int {
        let m = model
        let attention = m.hiddenSize * (m.attentionHeadCount + 2 * m.keyValueHeadCount) * m.headDimension
            + m.attentionHeadCount * m.headDimension * m.hiddenSize
        return m.layerCount * (attention + 3 * m.hiddenSize * m.intermediateSize) + m.vocabularySize * m.hiddenSize
    }

    /// Training FLOPs per token as PaLM's MFU counts them (Chowdhery et al. 2022, appendix B):
    /// `6·N + 12·L·H·Q·T` — forward and backward of every product, and of attention over all T positions.
    public var trainingFLOPsPerToken: Double {
        6 * Double(matmulParameterCount)
            + 12 * Double(model.layerCount * model.attentionHeadCount * model.headDimension * sequenceLength)
    }
}
