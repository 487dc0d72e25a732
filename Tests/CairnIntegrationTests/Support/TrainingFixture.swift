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

    /// Runs training quietly and returns the summary.
    static func train(_ configuration: TrainingConfiguration) async throws -> TrainingSummary {
        let logger = Logger(label: "cairn.test") { _ in SwiftLogNoOpLogHandler() }
        let plan = try TrainingPlan.make(configuration, strategies: .builtIn, logger: logger)
        return try await TrainingRun(plan: plan, logger: logger, console: Console(fileDescriptor: 2, isTerminal: false)).run()
    }
}
