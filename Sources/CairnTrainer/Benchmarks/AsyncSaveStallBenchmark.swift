public import CairnCore
import CairnConfig
import CairnEmbedded
import Foundation
import Logging

/// How long the training loop waits for checkpoint saves, measured in real training steps of the small model:
/// synchronous saves (the loop waits for the whole durable save) against asynchronous ones (the loop waits only
/// for whatever of the snapshot copy its next forward and backward passes did not hide).
public enum AsyncSaveStallBenchmark {
    /// The figures.
    public struct Result: Sendable {
        /// Median seconds one synchronous save blocked training.
        public var synchronousSave: Double
        /// Median seconds training waited for one asynchronous save.
        public var asynchronousStall: Double
        /// The stall as a fraction of a synchronous save.
        public var ratio: Double { asynchronousStall / synchronousSave }
    }

    /// Trains `steps` steps saving after every one (the first save, which touches fresh memory, not counted), first
    /// synchronously then asynchronously, in `folder`.
    public static func run(folder: String, strategy: any DistStrategy, steps: Int = 4) async throws -> Result {
        let synchronous = try await saves(folder: folder + "/sync", strategy: strategy, steps: steps, asynchronous: false)
        let asynchronous = try await saves(folder: folder + "/async", strategy: strategy, steps: steps, asynchronous: true)
        try? FileManager.default.removeItem(atPath: folder + "/sync")
        try? FileManager.default.removeItem(atPath: folder + "/async")
        return Result(synchronousSave: median(synchronous), asynchronousStall: median(asynchronous))
    }

    private static func saves(
        folder: String, strategy: any DistStrategy, steps: Int, asynchronous: Bool
    ) async throws -> [Double] {
        try? FileManager.default.removeItem(atPath: folder)
        var plan = TrainingBenchmark.syntheticPlan(.small, strategy: strategy, worldSize: 1, totalSteps: steps + 2)
        plan.configuration.outputDir = folder
        plan.configuration.saveSteps = 1
        plan.configuration.saveAsync = asynchronous
        let planned = plan
        let records = try await LocalRankGroup(worldSize: 1).run { communicator in
            let trainer = try await RankTrainer(plan: planned, communicator: communicator,
                                                logger: Logger(label: "cairn.bench"), console: .standardError)
            for _ in 0..<(steps + 1) {
                _ = try await trainer.step()
                try await trainer.saveIfDue(.steps)
            }
            try await trainer.checkpoints.finish()
            return trainer.checkpoints.saveRecords.dropFirst().map { $0.trainingWaited / .seconds(1) }
        }
        return records[0]
    }

    private static func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
