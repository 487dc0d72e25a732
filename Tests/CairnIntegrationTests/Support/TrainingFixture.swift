import Cairn
import CairnConfig
import Foundation
import Logging

/// Small training runs on the repository's demo model and data, in a fresh temporary output folder.
enum TrainingFixture {
    /// The repository root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// A fresh, empty folder under the temporary directory.
    static func temporaryFolder(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The demo config shrunk to `steps` steps of 16 samples, writing into `outputDir`. The optimizer settings are
    /// pinned here so tuning the demo does not move the golden traces.
    static func configuration(outputDir: String, steps: Int, overrides: [String] = []) throws -> TrainingConfiguration {
        try TrainingConfiguration.load(
            file: root + "/Examples/configs/qwen3-tiny-sft.yaml",
            overrides: [
                "model=\(root)/Examples/models/qwen3-tiny", "train_dataset=\(root)/Examples/data/demo.yaml",
                "output_dir=\(outputDir)", "max_steps=\(steps)", "micro_batch_size=8", "global_batch_size=16",
                "logging_steps=1000", "learning_rate=2e-3", "warmup_ratio=0.05", "weight_decay=0.01", "seed=42",
                "lr_scheduler_type=cosine",
            ] + overrides)
    }

    /// The micro model on 40 samples: `steps` steps of a global batch of 16 in 4 micro-batches of 4 (so 2.5
    /// steps per epoch), saving nothing unless the overrides say so.
    static func microConfiguration(outputDir: String, steps: Int, overrides: [String] = []) throws -> TrainingConfiguration {
        let fixtures = root + "/Tests/CairnIntegrationTests/Fixtures"
        return try TrainingConfiguration.load(
            file: root + "/Examples/configs/qwen3-tiny-sft.yaml",
            overrides: [
                "model=\(fixtures)/models/qwen3-micro", "train_dataset=\(fixtures)/data/arithmetic-40.yaml",
                "output_dir=\(outputDir)", "max_steps=\(steps)", "micro_batch_size=4", "global_batch_size=16",
                "logging_steps=1000", "learning_rate=3e-3", "warmup_ratio=0.1", "weight_decay=0.01", "seed=7",
                "lr_scheduler_type=cosine",
            ] + overrides)
    }

    /// Runs training quietly and returns the summary; `stopAfterStep` stops it there with a checkpoint.
    static func train(
        _ configuration: TrainingConfiguration, stopAfterStep: Int? = nil, log: LogCapture? = nil
    ) async throws -> TrainingSummary {
        let logger = Logger(label: "cairn.test") { _ in log.map { $0 as any LogHandler } ?? SwiftLogNoOpLogHandler() }
        let plan = try TrainingPlan.make(configuration, strategies: .builtIn, logger: logger)
        let stop = StopSignal()
        if let stopAfterStep { stop.request(afterStep: stopAfterStep) }
        return try await TrainingRun(plan: plan, logger: logger, console: Console(fileDescriptor: 2, isTerminal: false),
                                     stopSignal: stop).run()
    }
}
