import CairnCore
import CairnEmbedded
import CairnNN
import CairnOptim
import CairnSafetensors
import CairnTensor
import Foundation
import Testing

/// Parity with Hugging Face PEFT: a LoRA adapter (r 4, α 8, all seven linear modules) on the tiny Qwen3, made by
/// `Fixtures/make_lora_parity.py`.
@Suite struct LoRAParityTests {
    static let fixtures = HuggingFaceParityTests.fixtures
    let inputs: SafetensorsFile
    let expected: SafetensorsFile

    init() throws {
        inputs = try SafetensorsFile(contentsOf: Self.fixtures + "/inputs.safetensors")
        expected = try SafetensorsFile(contentsOf: Self.fixtures + "/lora/expected.safetensors")
    }

    private func adaptedModel() throws -> Qwen3ForCausalLM {
        let model = try HuggingFaceParityTests.loadModel("qwen3-tiny")
        try model.attachLoRA(targets: Qwen3ForCausalLM.linearModuleNames, rank: 4, alpha: 8, dropout: 0, seed: 1,
                             randomness: nil)
        try model.loadAdapters(fromFolder: Self.fixtures + "/lora/adapter")
        return model
    }

    private var tokens: [Int32] { get throws { try HuggingFaceParityTests.integers(inputs, "input_ids") } }
    private var targets: [Int32] { get throws { try HuggingFaceParityTests.integers(inputs, "targets") } }

    @Test func adaptedLogitsLossGradientsAndAStepMatchPEFT() async throws {
        let model = try adaptedModel()
        let trainable = model.allParameters.filter(\.isTrainable)
        #expect(trainable.count == 28)
        #expect(trainable.allSatisfy { $0.key.rawValue.contains(".lora_") }, "only adapters train")

        let targets = try self.targets
        let normalizer = targets.filter { $0 != -100 }.count
        let tape = Tape()
        let (logits, loss) = try await tape.record {
            let logits = try await model.logits(tokens: try tokens, batchSize: 2, sequenceLength: 16)
            return (logits, crossEntropy(logits: logits, targets: targets, normalizer: Float(normalizer)))
        }
        try expectClose(logits.scalars, try expected.floats("logits"), relative: 1e-5, "logits")
        try expectClose([loss.item], try expected.floats("loss"), relative: 1e-5, "loss")
        try await tape.backward(from: loss)
        for parameter in trainable {
            let name = Qwen3ForCausalLM.peftName(for: parameter.key)
            try expectClose(Array(parameter.gradient), try expected.floats("grad." + name), relative: 1e-4, "grad of \(name)")
        }
        for parameter in model.allParameters where !parameter.isTrainable {
            #expect(parameter.tensor.grad == nil, "frozen \(parameter.key) received no gradient")
        }

        let shards = trainable.map {
            ParameterShard(key: $0.key, layout: .replicated($0.shape), values: $0.values, gradient: $0.gradient)
        }
        let norm = try await GradientClipping.globalNorm(of: shards, communicator: LocalRankGroup(worldSize: 1).communicator(rank: 0))
        try expectClose([Float(norm)], try expected.floats("step1.grad_norm"), relative: 1e-5, "grad norm")
        GradientClipping.clip(shards, norm: norm, maxNorm: 1)
        let optimizer = AdamW(.init(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1))
        try optimizer.prepare(for: shards)
        try optimizer.step(shards, learningRate: 1e-2)
        for parameter in trainable {
            let name = Qwen3ForCausalLM.peftName(for: parameter.key)
            try expectClose(Array(parameter.values), try expected.floats("step1.param." + name), absolute: 1e-5,
                            "after the step: \(name)")
        }
    }

    @Test func peftInitialisationStartsFromTheBaseModel() async throws {
        let base = try HuggingFaceParityTests.loadModel("qwen3-tiny")
        let adapted = try HuggingFaceParityTests.loadModel("qwen3-tiny")
        let adapters = try adapted.attachLoRA(targets: ["q_proj", "v_proj"], rank: 8, alpha: 16, dropout: 0, seed: 5,
                                              randomness: nil)
        #expect(adapters.count == 4)  // 2 layers × (q, v)
        for adapter in adapters {
            let bound = 1 / Float(adapter.a.shape[1]).squareRoot()
            #expect(adapter.a.values.allSatisfy { abs($0) <= bound } && adapter.a.values.contains { $0 != 0 })
            #expect(adapter.b.values.allSatisfy { $0 == 0 })
            #expect(adapter.scaling == 2)
        }
        let tokens = try self.tokens
        let a = try await base.logits(tokens: tokens, batchSize: 2, sequenceLength: 16).scalars
        let b = try await adapted.logits(tokens: tokens, batchSize: 2, sequenceLength: 16).scalars
        #expect(a == b, "B = 0 makes a fresh adapter a no-op")
        #expect(throws: ConfigurationError.self) {
            try HuggingFaceParityTests.loadModel("qwen3-tiny").attachLoRA(
                targets: ["qproj"], rank: 2, alpha: 2, dropout: 0, seed: 0, randomness: nil)
        }
    }
}
