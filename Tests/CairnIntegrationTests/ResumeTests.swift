import Cairn
import Foundation
import Testing

/// Exact resume (DESIGN.md §9): N steps straight equal k steps, a stop, and a resume to N — every loss and the
/// final weights bit for bit — at stops mid-epoch, on an epoch boundary, past several epochs, with gradient
/// accumulation (4 micro-batches per step).
@Suite(.serialized) struct ResumeTests {
    static let totalSteps = 8

    /// The uninterrupted reference run, computed once and shared by the tests.
    actor Reference {
        static let shared = Reference()
        private var cached: (losses: [Double], weights: Data)?

        func run() async throws -> (losses: [Double], weights: Data) {
            if let cached { return cached }
            let folder = try TrainingFixture.temporaryFolder("resume-reference")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(outputDir: folder, steps: totalSteps))
            let result = (try MetricsFile.losses(folder + "/metrics.jsonl"),
                          try Data(contentsOf: URL(fileURLWithPath: folder + "/model.safetensors")))
            cached = result
            return result
        }
    }

    /// Stops after 1 (0.4 epochs), 3 (1.2 epochs, across the first epoch end), 5 (exactly 2.0 epochs) and 7 steps.
    @Test(arguments: [1, 3, 5, 7])
    func stoppedAndResumedRunIsBitIdentical(stopAfter: Int) async throws {
        let folder = try TrainingFixture.temporaryFolder("resume-\(stopAfter)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: folder, steps: Self.totalSteps), stopAfterStep: stopAfter)
        #expect(first.stoppedEarly && first.finalStep == stopAfter)
        #expect(FileManager.default.fileExists(atPath: folder + "/checkpoint-\(stopAfter)/COMPLETE"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/model.safetensors"), "a stopped run saves no final model")

        let log = LogCapture()
        let second = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: folder, steps: Self.totalSteps,
                                               overrides: ["resume_from_checkpoint=auto"]), log: log)
        #expect(second.stepsRun == Self.totalSteps - stopAfter)
        #expect(log.contains("resumed at step \(stopAfter)"))
        let reference = try await Reference.shared.run()
        let losses = try MetricsFile.losses(folder + "/metrics.jsonl")
        #expect(losses.map(\.bitPattern) == reference.losses.map(\.bitPattern))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/model.safetensors")) == reference.weights)
    }

    @Test func finishedRunResumesToZeroStepsOrContinuesWithMoreSteps() async throws {
        let folder = try TrainingFixture.temporaryFolder("resume-finished")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(outputDir: folder, steps: 3))
        let log = LogCapture()
        let again = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: folder, steps: 3, overrides: ["resume_from_checkpoint=auto"]),
            log: log)
        #expect(again.stepsRun == 0)
        #expect(log.contains("already complete at step 3"))
        let longer = try await TrainingFixture.train(
            TrainingFixture.microConfiguration(outputDir: folder, steps: 5, overrides: ["resume_from_checkpoint=auto"]),
            log: log)
        #expect(longer.stepsRun == 2 && longer.finalStep == 5)
        #expect(log.contains("max_steps changed 3 → 5"))
    }

    @Test func aChangedGlobalBatchIsRefusedAndALearningRateChangeIsLogged() async throws {
        let folder = try TrainingFixture.temporaryFolder("resume-changes")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(outputDir: folder, steps: 4), stopAfterStep: 2)
        let refused = await #expect(throws: CheckpointError.self) {
            _ = try await TrainingFixture.train(TrainingFixture.microConfiguration(
                outputDir: folder, steps: 4, overrides: ["resume_from_checkpoint=auto", "global_batch_size=8"]))
        }
        #expect(refused?.code == .incompatible)
        #expect("\(refused.map { "\($0)" } ?? "")".contains("global_batch_size"))
        let log = LogCapture()
        let resumed = try await TrainingFixture.train(TrainingFixture.microConfiguration(
            outputDir: folder, steps: 4, overrides: ["resume_from_checkpoint=auto", "learning_rate=1e-3"]), log: log)
        #expect(resumed.stepsRun == 2)
        #expect(log.contains("learning_rate changed"))
    }
}
