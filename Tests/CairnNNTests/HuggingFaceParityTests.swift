import CairnCore
import CairnEmbedded
import CairnNN
import CairnOptim
import CairnSafetensors
import CairnTensor
import Foundation
import Testing

/// Parity with Hugging Face transformers on the tiny random Qwen3 of `Fixtures/` (made by
/// `Fixtures/make_qwen3_parity.py`; see its README for the math and the versions).
@Suite struct HuggingFaceParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    let inputs: SafetensorsFile
    let expected: SafetensorsFile
    let tokens: [Int32]
    let targets: [Int32]

    init() throws {
        inputs = try SafetensorsFile(contentsOf: Self.fixtures + "/inputs.safetensors")
        expected = try SafetensorsFile(contentsOf: Self.fixtures + "/expected.safetensors")
        tokens = try Self.integers(inputs, "input_ids")
        targets = try Self.integers(inputs, "targets")
    }

    @Test func logitsAndLossMatchTransformers() async throws {
        let model = try Self.loadModel("qwen3-tiny")
        let logits = try await model.logits(tokens: tokens, batchSize: 2, sequenceLength: 16)
        try expectClose(logits.scalars, try expected.floats("logits"), relative: 1e-5, "logits")
        let loss = crossEntropy(logits: logits, targets: targets, normalizer: Float(lossTokenCount))
        try expectClose([loss.item], try expected.floats("loss"), relative: 1e-5, "loss")
    }

    @Test func gradientsMatchTransformers() async throws {
        let model = try Self.loadModel("qwen3-tiny")
        try await backward(model)
        for parameter in model.allParameters {
            let name = Qwen3ForCausalLM.huggingFaceName(for: parameter.key)
            try expectClose(Array(parameter.gradient), try expected.floats("grad." + name), relative: 1e-4, "grad of \(name)")
        }
    }

    /// Three steps of clip → AdamW → cosine-with-warmup schedule, as the fixture script runs them in torch.
    @Test func threeAdamWStepsMatchTorch() async throws {
        let model = try Self.loadModel("qwen3-tiny")
        let shards = model.allParameters.map {
            ParameterShard(key: $0.key, layout: .replicated($0.shape), values: $0.values, gradient: $0.gradient)
        }
        let optimizer = AdamW(.init(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1))
        try optimizer.prepare(for: shards)
        let schedule = LearningRateSchedule(kind: .cosine, baseLearningRate: 1e-2, warmupSteps: 1, totalSteps: 3)
        let solo = LocalRankGroup(worldSize: 1).communicator(rank: 0)
        for step in 1...3 {
            for shard in shards { shard.gradient.update(repeating: 0) }
            let loss = try await backward(model)
            try expectClose([loss], try expected.floats("step\(step).loss"), relative: 1e-5, "step \(step) loss")
            let norm = try await GradientClipping.globalNorm(of: shards, communicator: solo)
            try expectClose([Float(norm)], try expected.floats("step\(step).grad_norm"), relative: 1e-5, "step \(step) grad norm")
            GradientClipping.clip(shards, norm: norm, maxNorm: 1.0)
            let learningRate = schedule.currentLearningRate
            try expectClose([Float(learningRate)], try expected.floats("step\(step).lr"), relative: 0, "step \(step) lr")
            try optimizer.step(shards, learningRate: learningRate)
            schedule.advance()
            for parameter in model.allParameters {
                let name = Qwen3ForCausalLM.huggingFaceName(for: parameter.key)
                let reference = try expected.floats("step\(step).param.\(name)")
                try expectClose(Array(parameter.values), reference, absolute: 2e-4, "step \(step) \(name)")
                // Adam divides m by √v̂ + ε, so where a gradient is tiny (|g| ≲ 1e-7 beside a maximum of ~1e-2) a
                // float32 rounding difference in g becomes a visible difference in the update; a float64
                // recomputation of torch's own run moves those elements by up to 1e-4 too (Fixtures/README.md).
                // Everything else must agree within 1e-5.
                let outliers = zip(parameter.values, reference).filter { abs($0 - $1) > 1e-5 }.count
                #expect(outliers * 1000 <= reference.count,
                        "step \(step) \(name): \(outliers) of \(reference.count) elements differ by more than 1e-5")
            }
        }
    }

    @Test func shardedBFloat16AndFloat16WeightsLoad() async throws {
        let bf16 = try Self.loadModel("qwen3-tiny-bf16-sharded")
        let logits = try await bf16.logits(tokens: tokens, batchSize: 2, sequenceLength: 16)
        let reference = try SafetensorsFile(contentsOf: Self.fixtures + "/expected-bf16.safetensors")
        try expectClose(logits.scalars, try reference.floats("logits"), relative: 1e-5, "bf16 logits")

        let f16 = try Self.loadModel("qwen3-tiny-f16")
        let f32 = try Self.loadModel("qwen3-tiny")
        for (half, full) in zip(f16.allParameters, f32.allParameters) {
            try expectClose(Array(half.values), Array(full.values), relative: 1e-3, "f16 \(half.key)")
        }
    }

    @Test func savedFolderReloadsBitIdentically() throws {
        let model = try Self.loadModel("qwen3-tiny")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-nn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try model.save(toFolder: folder, sourceFolder: Self.fixtures + "/qwen3-tiny")
        let reloaded = try Self.loadModel(folder: folder)
        for (a, b) in zip(model.allParameters, reloaded.allParameters) {
            #expect(Array(a.values) == Array(b.values), "\(a.key)")
        }
        #expect(try !SafetensorsFile(contentsOf: folder + "/model.safetensors").contains("lm_head.weight"))
    }

    // MARK: - Helpers

    private var lossTokenCount: Int { targets.filter { $0 != -100 }.count }

    @discardableResult
    private func backward(_ model: Qwen3ForCausalLM) async throws -> Float {
        let tape = Tape()
        let loss = try await tape.record {
            try await model.loss(tokens: tokens, targets: targets, batchSize: 2, sequenceLength: 16,
                                 normalizer: lossTokenCount)
        }
        try await tape.backward(from: loss)
        return loss.item
    }

    static func loadModel(_ name: String) throws -> Qwen3ForCausalLM {
        try loadModel(folder: fixtures + "/" + name)
    }

    static func loadModel(folder: String) throws -> Qwen3ForCausalLM {
        let model = Qwen3ForCausalLM(configuration: try Qwen3Configuration.load(contentsOf: folder))
        try model.loadWeights(fromFolder: folder)
        return model
    }

    static func integers(_ file: SafetensorsFile, _ name: String) throws -> [Int32] {
        Array(try file.bytes(name).elements(of: Int64.self)).map { Int32($0) }
    }
}

/// Checks `actual` against `expected` element-wise: `|a − e| ≤ absolute + relative · max|e|` (norm-wise relative
/// error, since single elements near zero have no meaningful relative error), reporting the worst element.
func expectClose(
    _ actual: [Float], _ expected: [Float], relative: Float = 0, absolute: Float = 0, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try #require(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)",
                 sourceLocation: sourceLocation)
    let scale = expected.map(abs).max() ?? 0
    let tolerance = absolute + relative * scale
    var worst = (index: 0, difference: Float(0))
    for i in actual.indices where abs(actual[i] - expected[i]) > worst.difference || actual[i].isNaN {
        worst = (i, actual[i].isNaN ? .infinity : abs(actual[i] - expected[i]))
    }
    #expect(worst.difference <= tolerance,
            "\(label): max |Δ| \(worst.difference) at \(worst.index) (\(actual[worst.index]) vs \(expected[worst.index])) > tolerance \(tolerance)",
            sourceLocation: sourceLocation)
}
