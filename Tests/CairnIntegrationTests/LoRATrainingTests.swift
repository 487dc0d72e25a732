import Cairn
import Foundation
import Logging
import Testing

/// LoRA through the whole trainer: what a checkpoint holds, a multi-rank run killed in the middle of a save, and a
/// run that starts from a PEFT adapter folder (`adapter_name_or_path`).
@Suite(.serialized) struct LoRATrainingTests {
    static let lora = ["peft_config.name=lora", "peft_config.r=4", "peft_config.lora_alpha=8",
                       "peft_config.target_modules=all-linear"]
    /// A step too small to move any adapter value (AdamW moves each by about the learning rate).
    static let frozenStep = ["learning_rate=1e-30", "weight_decay=0"]

    /// The small benchmark model (`BenchmarkShape.small`, 33.6 M parameters) with rank-8 adapters on every linear
    /// layer: a checkpoint holds the adapters and their two AdamW moments, and not one byte of the frozen base.
    @Test func smallModelCheckpointHoldsOnlyAdaptersAndTheirMoments() async throws {
        let folder = try TrainingFixture.temporaryFolder("lora-size")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let shape = BenchmarkShape.small.model
        try Self.writeModelFolder(shape, to: folder + "/base")
        let output = folder + "/run"
        let configuration = try TrainingFixture.microConfiguration(outputDir: output, steps: 1, overrides: [
            "model=\(folder)/base", "micro_batch_size=1", "global_batch_size=1", "cutoff_len=48", "save_steps=1",
            "peft_config.name=lora", "peft_config.r=8", "peft_config.lora_alpha=16",
            "peft_config.target_modules=all-linear",
        ])
        _ = try await TrainingFixture.train(configuration)

        let model = Qwen3ForCausalLM(configuration: shape)
        let baseCount = model.parameters.reduce(0) { $0 + $1.elementCount }
        _ = try model.attachLoRA(targets: ["all-linear"], rank: 8, alpha: 16, dropout: 0, seed: 7, randomness: nil)
        let adapterCount = model.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.elementCount }
        let checkpoint = output + "/checkpoint-1"
        let tensorBytes = try Self.tensorFileBytes(in: checkpoint)
        // Values and AdamW's two moments, Float32, plus safetensors headers and the step counters.
        let payload = 3 * 4 * adapterCount
        print("LoRA r=8 checkpoint of the small model: \(tensorBytes) B in tensor files for \(adapterCount) adapter "
              + "parameters (payload \(payload) B); a full checkpoint would hold \(12 * baseCount) B")
        #expect(tensorBytes >= payload)
        #expect(tensorBytes <= payload + 256 * 1024, "\(tensorBytes) B against \(payload) B of adapter state")
        #expect(!FileManager.default.fileExists(atPath: checkpoint + "/model"), "no base weights in a LoRA checkpoint")
        #expect(FileManager.default.fileExists(atPath: checkpoint + "/adapter/adapter_model.safetensors"))
        #expect(FileManager.default.fileExists(atPath: checkpoint + "/adapter/adapter_config.json"))
    }

    /// LoRA on two in-process ranks with dropout, killed with SIGKILL while its newest checkpoint is being written:
    /// `auto` resumes from the previous committed one and the run ends bit-identical to an uninterrupted run.
    @Test func multiRankRunKilledMidSaveResumesFromThePreviousCheckpointBitIdentically() async throws {
        try #require(CairnProcess.executable != nil, "build with `swift build --build-tests` so cairn sits beside the tests")
        let steps = 8
        func arguments(_ outputDir: String) -> [String] {
            let fixtures = TrainingFixture.root + "/Tests/CairnIntegrationTests/Fixtures"
            return ["train", TrainingFixture.root + "/Examples/configs/qwen3-tiny-sft.yaml",
                    "model=\(fixtures)/models/qwen3-micro", "train_dataset=\(fixtures)/data/arithmetic-40.yaml",
                    "output_dir=\(outputDir)", "max_steps=\(steps)", "micro_batch_size=2", "global_batch_size=8",
                    "learning_rate=3e-3", "seed=7", "save_steps=2", "logging_steps=1",
                    "resume_from_checkpoint=auto", "dist_config.name=ddp", "dist_config.world_size=2",
                    "peft_config.lora_dropout=0.1"] + Self.lora
        }
        let reference = try TrainingFixture.temporaryFolder("lora-kill-reference")
        defer { try? FileManager.default.removeItem(atPath: reference) }
        let referenceLog = URL(fileURLWithPath: reference + "/log.txt")
        let referenceRun = try CairnProcess(arguments(reference), output: referenceLog)
        #expect(await referenceRun.wait(timeout: .seconds(600)) == 0)

        // Kill when a save begins after a committed one; retry the rare attempt whose kill lands after the commit.
        var interrupted: (folder: String, step: Int)?
        var attempts = 0
        while interrupted == nil && attempts < 6 {
            attempts += 1
            let victim = try TrainingFixture.temporaryFolder("lora-kill-victim")
            let run = try CairnProcess(arguments(victim), output: URL(fileURLWithPath: victim + "-log.txt"))
            if let step = try await Self.killDuringASaveAfterACommit(run, in: victim) {
                interrupted = (victim, step)
            } else {
                _ = await run.wait(timeout: .seconds(600))
                try? FileManager.default.removeItem(atPath: victim)
                try? FileManager.default.removeItem(atPath: victim + "-log.txt")
            }
        }
        let (victim, step) = try #require(interrupted, "no kill landed inside a save in \(attempts) attempts")
        let log = URL(fileURLWithPath: victim + "-log.txt")
        defer {
            try? FileManager.default.removeItem(atPath: victim)
            try? FileManager.default.removeItem(at: log)
        }
        let resumed = try CairnProcess(arguments(victim), output: log)
        #expect(await resumed.wait(timeout: .seconds(600)) == 0)
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("resumed at step \(step - 2)"), "auto skips the interrupted checkpoint-\(step)")
        #expect(!FileManager.default.fileExists(atPath: victim + "/checkpoint-\(step).tmp"), "the interrupted save is cleaned up")
        #expect(try MetricsFile.losses(victim + "/metrics.jsonl").map(\.bitPattern)
                == MetricsFile.losses(reference + "/metrics.jsonl").map(\.bitPattern))
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim + "/adapter_model.safetensors"))
                == Data(contentsOf: URL(fileURLWithPath: reference + "/adapter_model.safetensors")))
    }

    /// `adapter_name_or_path` starts the adapters from a PEFT folder: with a learning rate far below any value's
    /// precision (1e-30, no weight decay), one step leaves them exactly as loaded, and the loss is the adapted
    /// model's, not the base's.
    @Test func adapterNameOrPathStartsFromAPEFTAdapterFolder() async throws {
        let folder = try TrainingFixture.temporaryFolder("lora-adapter-path")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder + "/trained", steps: 4, overrides: Self.lora))
        let adapter = folder + "/trained"
        #expect(FileManager.default.fileExists(atPath: adapter + "/adapter_config.json"))

        let fresh = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder + "/fresh", steps: 1, overrides: Self.lora + Self.frozenStep))
        let log = LogCapture()
        let loaded = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder + "/loaded", steps: 1,
            overrides: ["peft_config.name=lora", "adapter_name_or_path=\(adapter)"] + Self.frozenStep), log: log)
        #expect(loaded.losses.first != fresh.losses.first, "the loaded adapters change the model")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/loaded/adapter_model.safetensors"))
                == Data(contentsOf: URL(fileURLWithPath: adapter + "/adapter_model.safetensors")))
        #expect(log.contains("LoRA: rank 4, alpha 8.0"), "r and lora_alpha come from the adapter's config")

        // The same targets spelled out agree; another rank is refused with both values named.
        _ = try TrainingPlan.make(TrainingFixture.microConfiguration(
            outputDir: folder + "/same", steps: 1, overrides: ["adapter_name_or_path=\(adapter)",
                "peft_config.name=lora", "peft_config.target_modules=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]"]),
            strategies: .builtIn, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let error = try #require(throws: ConfigurationError.self) {
            _ = try TrainingPlan.make(TrainingFixture.microConfiguration(
                outputDir: folder + "/other", steps: 1,
                overrides: ["adapter_name_or_path=\(adapter)", "peft_config.name=lora", "peft_config.r=16"]),
                strategies: .builtIn, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        }
        #expect(error.keyPath == "peft_config.r")
        #expect("\(error)".contains("is 16 but the adapter"))
    }

    // MARK: - Helpers

    /// Waits until `folder` holds a committed checkpoint and a newer uncommitted one, then kills `run` and returns
    /// the uncommitted step if its folder is still there (the kill landed inside the save); `nil` otherwise.
    static func killDuringASaveAfterACommit(_ run: CairnProcess, in folder: String) async throws -> Int? {
        while run.process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            let committed = names.compactMap { CheckpointID(name: $0)?.step }
            let pending = names.filter { $0.hasSuffix(".tmp") }
                .compactMap { CheckpointID(name: String($0.dropLast(4)))?.step }
            if let newest = pending.max(), let previous = committed.max(), previous < newest {
                run.kill()
                _ = await run.wait(timeout: .seconds(60))
                let stillPending = FileManager.default.fileExists(atPath: folder + "/checkpoint-\(newest).tmp")
                let committedAnyway = FileManager.default.fileExists(atPath: folder + "/checkpoint-\(newest)")
                return stillPending && !committedAnyway ? newest : nil
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }

    /// The total size of the checkpoint's `.safetensors` files, in every subfolder.
    static func tensorFileBytes(in folder: String) throws -> Int {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var total = 0
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix(".safetensors") else { continue }
            total += (try FileManager.default.attributesOfItem(atPath: folder + "/" + path)[.size] as? Int) ?? 0
        }
        return total
    }

    /// A Hugging Face model folder holding only `config.json` for `configuration` (weights come from the seed).
    static func writeModelFolder(_ configuration: Qwen3Configuration, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try HuggingFaceFolderWriter.configJSON(for: configuration, sourceFolder: nil)
            .write(to: URL(fileURLWithPath: folder + "/config.json"))
    }
}
