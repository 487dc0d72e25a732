import Cairn
import Foundation
import Testing

/// The checkpoint policy of DESIGN.md §8, end to end through the trainer.
@Suite(.serialized) struct CheckpointPolicyTests {
    private func committedSteps(_ folder: String) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { name in
            guard let id = CheckpointID(name: name),
                FileManager.default.fileExists(atPath: folder + "/" + name + "/COMPLETE")
            else { return nil }
            return id.step
        }.sorted()
    }

    @Test func totalLimitKeepsTheNewestAndKeepEveryKeepsMultiples() async throws {
        let folder = try TrainingFixture.temporaryFolder("policy-limit")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder, steps: 6, overrides: ["save_steps=1", "save_total_limit=2", "save_keep_every=3"]))
        #expect(try committedSteps(folder) == [3, 5, 6])
    }

    @Test func autoSkipsADamagedCheckpointAndAnExplicitPathToItFails() async throws {
        let folder = try TrainingFixture.temporaryFolder("policy-corrupt")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: folder, steps: 6, overrides: ["save_steps=2"]), stopAfterStep: 4)
        #expect(try committedSteps(folder) == [2, 4])
        // Flip one byte in the newest checkpoint's optimizer state.
        let victim = folder + "/checkpoint-4/optimizer/optimizer.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        bytes[bytes.count - 5] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: victim))

        let explicit = await #expect(throws: CheckpointError.self) {
            _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(
                outputDir: folder, steps: 6, overrides: ["resume_from_checkpoint=\(folder)/checkpoint-4"]))
        }
        #expect(explicit?.code == .corrupt)

        let log = LogCapture()
        let resumed = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder, steps: 6, overrides: ["resume_from_checkpoint=auto", "save_steps=2"]), log: log)
        #expect(log.contains("skipping \(folder)/checkpoint-4"))
        #expect(log.contains("resumed at step 2"))
        #expect(resumed.stepsRun == 4)
    }

    @Test func uncommittedFoldersAreNeverResumedAndAreCleanedUp() async throws {
        let folder = try TrainingFixture.temporaryFolder("policy-uncommitted")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: folder, steps: 6, overrides: ["save_steps=2"]), stopAfterStep: 2)
        // A save that died before its commit, and one that died between the rename and COMPLETE.
        try FileManager.default.copyItem(atPath: folder + "/checkpoint-2", toPath: folder + "/checkpoint-4.tmp")
        try FileManager.default.removeItem(atPath: folder + "/checkpoint-4.tmp/COMPLETE")
        try FileManager.default.copyItem(atPath: folder + "/checkpoint-4.tmp", toPath: folder + "/checkpoint-6")
        let log = LogCapture()
        let resumed = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder, steps: 6, overrides: ["resume_from_checkpoint=auto"]), log: log)
        #expect(log.contains("resumed at step 2"))
        #expect(log.contains("uncommitted"))
        #expect(resumed.stepsRun == 4)
        #expect(!FileManager.default.fileExists(atPath: folder + "/checkpoint-4.tmp"))
        #expect(FileManager.default.fileExists(atPath: folder + "/checkpoint-6/COMPLETE"), "step 6 was saved afresh")

        let explicit = await #expect(throws: CheckpointError.self) {
            _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(
                outputDir: folder, steps: 6, overrides: ["resume_from_checkpoint=\(folder)/checkpoint-9"]))
        }
        #expect(explicit?.code == .notFound)
    }

    @Test func asynchronousSavesMatchSynchronousOnes() async throws {
        let sync = try TrainingFixture.temporaryFolder("policy-sync")
        let async = try TrainingFixture.temporaryFolder("policy-async")
        defer {
            try? FileManager.default.removeItem(atPath: sync)
            try? FileManager.default.removeItem(atPath: async)
        }
        let a = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: sync, steps: 6, overrides: ["save_steps=2"]))
        let b = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: async, steps: 6, overrides: ["save_steps=2", "save_async=true"]))
        #expect(a.losses.map(\.bitPattern) == b.losses.map(\.bitPattern))
        #expect(try committedSteps(async) == [2, 4, 6])
        for step in [2, 4, 6] {
            let report = await CheckpointVerifier.verify(backend: FileSystemBackend(root: async), checkpoint: CheckpointID(step: step))
            #expect(report.isValid, "\(report)")
            let syncFiles = try Data(contentsOf: URL(fileURLWithPath: sync + "/checkpoint-\(step)/optimizer/optimizer.safetensors"))
            let asyncFiles = try Data(contentsOf: URL(fileURLWithPath: async + "/checkpoint-\(step)/optimizer/optimizer.safetensors"))
            #expect(syncFiles == asyncFiles)
        }
    }

    @Test func checkpointModelFolderIsAHuggingFaceFolder() async throws {
        let folder = try TrainingFixture.temporaryFolder("policy-hf")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(outputDir: folder, steps: 2))
        let model = folder + "/checkpoint-2/model"
        let configuration = try Qwen3Configuration.load(contentsOf: model)
        let reloaded = Qwen3ForCausalLM(configuration: configuration)
        try reloaded.loadWeights(fromFolder: model)
        let final = Qwen3ForCausalLM(configuration: configuration)
        try final.loadWeights(fromFolder: folder)
        for (a, b) in zip(reloaded.allParameters, final.allParameters) { #expect(Array(a.values) == Array(b.values)) }
        let keys = try SafetensorsFile(contentsOf: folder + "/checkpoint-2/optimizer/optimizer.safetensors").tensorNames
        #expect(keys.contains("optimizer.state.model.layers.0.mlp.up_proj.weight.exp_avg"))
        #expect(keys.contains("optimizer.state.model.lm_head.weight.exp_avg_sq"))
    }
}
