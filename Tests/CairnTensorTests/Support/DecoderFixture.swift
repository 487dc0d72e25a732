import CairnCore
import CairnTensor

/// A Qwen3-style decoder built only from CairnTensor ops, for determinism tests and the training-step benchmark.
///
/// Layer: x + o(attn(rope(qnorm(q(n₁(x)))), rope(knorm(k(n₁(x)))), v(n₁(x)))), then
/// h + down(swiglu(gate(n₂(h)), up(n₂(h)))); final norm and an untied LM head; summed token cross-entropy.
final class DecoderFixture {
    struct Configuration {
        var hidden: Int, layers: Int, queryHeads: Int, keyValueHeads: Int, headDimension: Int
        var intermediate: Int, vocabulary: Int, length: Int, batch: Int

        /// The "small" benchmark model: hidden 512, 8 layers, 8/4 heads of 64, MLP 1536, vocab 8192, 4 × 256.
        static let small = Configuration(
            hidden: 512, layers: 8, queryHeads: 8, keyValueHeads: 4, headDimension: 64, intermediate: 1536,
            vocabulary: 8192, length: 256, batch: 4)
        /// A model small enough for debug-mode tests.
        static let tiny = Configuration(
            hidden: 64, layers: 2, queryHeads: 4, keyValueHeads: 2, headDimension: 16, intermediate: 160,
            vocabulary: 600, length: 32, batch: 2)
        /// Large enough that every kernel splits into several parallel chunks (residual adds of 131 072 floats,
        /// 512 norm rows, 32 attention heads, 1024-wide logits in row chunks), still quick in debug mode.
        static let chunked = Configuration(
            hidden: 256, layers: 1, queryHeads: 4, keyValueHeads: 2, headDimension: 64, intermediate: 512,
            vocabulary: 1024, length: 64, batch: 8)

        var tokens: Int { length * batch }
        /// Weights of all matrix products (the 6 · N · P FLOP count uses these).
        var matrixParameters: Int {
            layers
                * (hidden * queryHeads * headDimension * 2 + hidden * keyValueHeads * headDimension * 2
                    + 3 * hidden * intermediate) + vocabulary * hidden
        }
        /// Forward + backward FLOPs of the attention products (4 per head forward, twice that backward).
        var attentionFLOPs: Double {
            Double(layers) * 3 * 2 * 2 * Double(batch * queryHeads * length * length * headDimension)
        }
        /// 6 · tokens · matrix parameters + attention products.
        var stepFLOPs: Double { 6 * Double(tokens) * Double(matrixParameters) + attentionFLOPs }
    }

    struct Layer {
        let inputNorm, query, key, value, output, queryNorm, keyNorm, postNorm, gate, up, down: Tensor
    }

    let configuration: Configuration
    let embeddings: Tensor
    let layers: [Layer]
    let finalNorm: Tensor
    let head: Tensor
    let table: RotaryTable
    let tokens: [Int32]
    let targets: [Int32]

    init(_ configuration: Configuration, seed: UInt64 = 1) {
        self.configuration = configuration
        let c = configuration
        func parameter(_ shape: [Int], _ label: String, std: Float = 0.02) -> Tensor {
            var generator = PhiloxRandom(seed: seed, label: label)
            let tensor = Tensor.normal(shape, mean: 0, std: std, generator: &generator)
            tensor.requiresGrad = true
            return tensor
        }
        func norm(_ size: Int, _ label: String) -> Tensor {
            var generator = PhiloxRandom(seed: seed, label: label)
            let tensor = Tensor.uniform([size], lower: 0.8, upper: 1.2, generator: &generator)
            tensor.requiresGrad = true
            return tensor
        }
        embeddings = parameter([c.vocabulary, c.hidden], "embed")
        layers = (0..<c.layers).map { i in
            Layer(
                inputNorm: norm(c.hidden, "\(i).n1"),
                query: parameter([c.queryHeads * c.headDimension, c.hidden], "\(i).q"),
                key: parameter([c.keyValueHeads * c.headDimension, c.hidden], "\(i).k"),
                value: parameter([c.keyValueHeads * c.headDimension, c.hidden], "\(i).v"),
                output: parameter([c.hidden, c.queryHeads * c.headDimension], "\(i).o"),
                queryNorm: norm(c.headDimension, "\(i).qn"), keyNorm: norm(c.headDimension, "\(i).kn"),
                postNorm: norm(c.hidden, "\(i).n2"), gate: parameter([c.intermediate, c.hidden], "\(i).gate"),
                up: parameter([c.intermediate, c.hidden], "\(i).up"),
                down: parameter([c.hidden, c.intermediate], "\(i).down"))
        }
        finalNorm = norm(c.hidden, "final")
        head = parameter([c.vocabulary, c.hidden], "head")
        table = RotaryTable(headDimension: c.headDimension, maxPositions: c.length, theta: 1_000_000)
        var generator = PhiloxRandom(seed: seed, label: "tokens")
        tokens = (0..<c.tokens).map { _ in Int32(generator.next32() % UInt32(c.vocabulary)) }
        targets = tokens.enumerated().map { index, token in index % 5 == 0 ? -100 : token }
    }

    /// Every trainable tensor.
    var parameters: [Tensor] {
        [embeddings, finalNorm, head]
            + layers.flatMap {
                [
                    $0.inputNorm, $0.query, $0.key, $0.value, $0.output, $0.queryNorm, $0.keyNorm, $0.postNorm, $0.gate,
                    $0.up, $0.down,
                ]
            }
    }

    /// The loss of one batch (sum of counted token losses / counted tokens), with unit markers on `tape`.
    func loss(tape: Tape?) -> Tensor {
        let c = configuration
        let positions = (0..<c.length).map(Int32.init)
        var hidden = embedding(embeddings, indices: tokens)
        for (index, layer) in layers.enumerated() {
            tape?.mark(.unitBegin(index))
            let normed = rmsNorm(hidden, weight: layer.inputNorm, epsilon: 1e-6)
            let q = linear(normed, weight: layer.query).reshaped([c.batch, c.length, c.queryHeads, c.headDimension])
            let k = linear(normed, weight: layer.key).reshaped([c.batch, c.length, c.keyValueHeads, c.headDimension])
            let v = linear(normed, weight: layer.value).reshaped([c.batch, c.length, c.keyValueHeads, c.headDimension])
            let rq = rotaryEmbedding(
                rmsNorm(q, weight: layer.queryNorm, epsilon: 1e-6), table: table, positions: positions)
            let rk = rotaryEmbedding(
                rmsNorm(k, weight: layer.keyNorm, epsilon: 1e-6), table: table, positions: positions)
            let attended = causalAttention(query: rq, key: rk, value: v, scale: 1 / Float(c.headDimension).squareRoot())
            hidden = add(
                hidden, linear(attended.reshaped([c.tokens, c.queryHeads * c.headDimension]), weight: layer.output))
            let mlpInput = rmsNorm(hidden, weight: layer.postNorm, epsilon: 1e-6)
            let activated = swiglu(gate: linear(mlpInput, weight: layer.gate), up: linear(mlpInput, weight: layer.up))
            hidden = add(hidden, linear(activated, weight: layer.down))
            tape?.mark(.unitEnd(index))
        }
        let logits = linear(rmsNorm(hidden, weight: finalNorm, epsilon: 1e-6), weight: head)
        let counted = targets.filter { $0 != -100 }.count
        return crossEntropy(logits: logits, targets: targets, normalizer: Float(counted))
    }

    /// One forward and backward pass; returns the loss.
    func trainingStep() async throws -> Float {
        let tape = Tape()
        let loss = tape.record { self.loss(tape: tape) }
        try await tape.backward(from: loss)
        return loss.item
    }
}
