import CairnConfig
import CairnCore
import CairnData
import CairnEmbedded
import CairnFSDP
import CairnNN
import CairnSingle
import CairnTrainer
import Foundation
import Logging
import Testing

/// Whole training runs through the real trainer on a Qwen3 so narrow that 3 and 4 ranks get empty shards (the
/// conformance kit's model shards without any): empty pieces must train, checkpoint, reshard and export.
@Suite(.serialized) struct FSDPEndToEndTests {
    /// Hidden 6, head dimension 2, MLP 9, vocabulary 10: on 4 ranks `[6, …]` splits 2, 2, 2, 0, `[9, …]` 3, 3, 3, 0,
    /// the `[2]` q/k norms 1, 1, 0, 0 and the `[10, 6]` embedding 3, 3, 3, 1; on 3 ranks `[4, 6]` splits 2, 2, 0.
    static let narrowQwen3 = Qwen3Configuration(
        vocabularySize: 10, hiddenSize: 6, intermediateSize: 9, layerCount: 2, attentionHeadCount: 2,
        keyValueHeadCount: 1, headDimension: 2, rmsNormEpsilon: 1e-6, ropeTheta: 10_000, maxPositionEmbeddings: 32,
        tiesWordEmbeddings: false, initializerRange: 0.3)
    static let steps = 4

    /// fsdp2 on 4 ranks matches `single`; a run stopped after step 2 resumes on 3 ranks (every empty piece saved
    /// by one layout, read into another) and continues the same losses; the final model is exported from the
    /// sharded checkpoint.
    @Test func emptyShardsTrainCheckpointReshardAndExport() async throws {
        let reference = try await Self.train(SingleDeviceStrategy(), worldSize: 1, backend: InMemoryBackend())
        let uninterrupted = try await Self.train(FSDPStrategy(), worldSize: 4, backend: InMemoryBackend())
        #expect(uninterrupted.summary.losses.count == Self.steps)
        Self.expectClose(uninterrupted.summary.losses, reference.summary.losses, "fsdp2 ×4 against single")
        #expect(uninterrupted.exported, "the final model is consolidated from the sharded checkpoint")

        let backend = InMemoryBackend()
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await Self.train(FSDPStrategy(), worldSize: 4, backend: backend, folder: folder, stopAfter: 2)
        #expect(first.summary.stoppedEarly && first.summary.finalStep == 2)
        let resumed = try await Self.train(FSDPStrategy(), worldSize: 3, backend: backend, folder: folder, resume: true)
        #expect(resumed.summary.finalStep == Self.steps)
        Self.expectClose(first.summary.losses + resumed.summary.losses, reference.summary.losses,
                         "fsdp2 ×4 stopped, resumed ×3, against single")
    }

    // MARK: - Helpers

    private static func expectClose(_ actual: [Double], _ expected: [Double], _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual) vs \(expected)")
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(a - e) <= 1e-5 * abs(e), "\(what), step \(step + 1): \(a) vs \(e)")
        }
    }

    private static func scratchFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cairn-fsdp-\(UUID().uuidString)").path
    }

    private static func train(
        _ strategy: any DistStrategy, worldSize: Int, backend: any CheckpointBackend, folder: String? = nil,
        stopAfter: Int? = nil, resume: Bool = false
    ) async throws -> (summary: TrainingSummary, exported: Bool) {
        let outputDir = folder ?? scratchFolder()
        defer { if folder == nil { try? FileManager.default.removeItem(atPath: outputDir) } }
        var strategies = StrategyRegistry()
        try strategies.register(SingleDeviceStrategy.self)
        try strategies.register(FSDPStrategy.self)
        let kind = type(of: strategy).kind
        var configuration = TrainingConfiguration(model: "<fsdp-test>", trainDataset: "<synthetic>", outputDir: outputDir)
        configuration.tokenizer = TokenizerLoader.byteTokenizerName
        configuration.seed = 3
        configuration.loggingSteps = 1_000_000
        configuration.microBatchSize = 1
        configuration.globalBatchSize = 12
        configuration.maxSteps = steps
        configuration.optim = .adamw
        configuration.learningRate = 1e-2
        configuration.weightDecay = 0.01
        configuration.maxGradNorm = 1
        configuration.saveSteps = 2
        configuration.resumeFromCheckpoint = resume ? "auto" : nil
        configuration.ddpTimeout = 120
        configuration.distConfig = PluginSection(name: kind.name, worldSize: worldSize, keyPath: "dist_config")
        let plan = TrainingPlan(
            configuration: configuration, model: narrowQwen3, hasPretrainedWeights: false, tokenizer: ByteTokenizer(),
            tokenizerReference: TokenizerLoader.byteTokenizerName, samples: samples(), strategy: strategy,
            strategies: strategies, modelFingerprint: "fsdp-narrow-qwen3", worldSize: worldSize, globalBatchSize: 12,
            accumulationSteps: 12 / worldSize, totalSteps: steps, warmupSteps: 0, paddingTokenID: 0)
        let stop = StopSignal()
        if let stopAfter { stop.request(afterStep: stopAfter) }
        let logger = Logger(label: "cairn.fsdp-test") { _ in SwiftLogNoOpLogHandler() }
        let summary = try await TrainingRun(
            plan: plan, logger: logger, console: Console(fileDescriptor: 2, isTerminal: false), stopSignal: stop,
            checkpointBackend: backend
        ).run()
        return (summary, FileManager.default.fileExists(atPath: outputDir + "/model.safetensors"))
    }

    /// 24 samples of 4 to 12 tokens below the vocabulary, the first third of each a prompt without loss.
    private static func samples() -> [TokenizedSample] {
        var generator = PhiloxRandom(seed: 17, label: "fsdp.end-to-end.samples")
        return (0..<24).map { _ in
            let length = 5 + Int(generator.next32() % 8)
            let tokens = (0..<length).map { _ in Int32(generator.next32() % UInt32(narrowQwen3.vocabularySize)) }
            let targets = tokens.dropFirst().enumerated().map { $0 < length / 3 ? TokenizedSample.ignoreIndex : $1 }
            return TokenizedSample(inputIDs: Array(tokens.dropLast()), targets: targets)
        }
    }
}
