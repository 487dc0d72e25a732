import Cairn
import Foundation
import Testing

/// Kill `cairn train` with SIGKILL at random moments — mid-step, mid-save, mid-commit — and resume with `auto`
/// each time: the run must end with exactly the weights and losses of an uninterrupted run, and never resume from
/// an uncommitted folder. `make test` runs a short campaign; `make stress` (`CAIRN_STRESS=1`) runs hundreds of kills.
@Suite(.serialized) struct CrashTests {
    static var killCount: Int { ProcessInfo.processInfo.environment["CAIRN_STRESS"] == "1" ? 300 : 12 }

    static func arguments(outputDir: String, steps: Int) -> [String] {
        let fixtures = TrainingFixture.root + "/Tests/CairnIntegrationTests/Fixtures"
        return ["train", TrainingFixture.root + "/Examples/configs/qwen3-tiny-sft.yaml",
                "model=\(fixtures)/models/qwen3-micro", "train_dataset=\(fixtures)/data/arithmetic-40.yaml",
                "output_dir=\(outputDir)", "max_steps=\(steps)", "micro_batch_size=4", "global_batch_size=16",
                "learning_rate=3e-3", "seed=7", "save_steps=1", "save_total_limit=2", "logging_steps=1",
                "resume_from_checkpoint=auto"]
    }

    @Test func killedAndResumedRunEndsWithTheUninterruptedWeights() async throws {
        try #require(CairnProcess.executable != nil, "build with `swift build --build-tests` so cairn sits beside the tests")
        let steps = 16
        let reference = try TrainingFixture.temporaryFolder("crash-reference")
        let victim = try TrainingFixture.temporaryFolder("crash-victim")
        defer {
            try? FileManager.default.removeItem(atPath: reference)
            try? FileManager.default.removeItem(atPath: victim)
        }
        let referenceRun = try CairnProcess(Self.arguments(outputDir: reference, steps: steps),
                                            output: URL(fileURLWithPath: reference + "/log.txt"))
        let started = ContinuousClock.now
        #expect(await referenceRun.wait(timeout: .seconds(600)) == 0)
        let uninterrupted = (ContinuousClock.now - started) / .seconds(1)

        var generator = PhiloxRandom(seed: 2024, label: "crash-test")
        var kills = 0
        var killsInSaves = 0
        var finished = false
        let log = URL(fileURLWithPath: victim + "-log.txt")
        defer { try? FileManager.default.removeItem(at: log) }
        for _ in 0..<(Self.killCount * 4) where !finished {
            let run = try CairnProcess(Self.arguments(outputDir: victim, steps: steps), output: log)
            let campaignIsShort = kills < Self.killCount || killsInSaves == 0
            if campaignIsShort {
                let inSave = kills % 2 == 1 || kills >= Self.killCount
                if inSave {
                    // Inside a save: as soon as an uncommitted folder appears (files being written or committed).
                    try await Self.waitForUncommittedFolder(in: victim, while: run)
                } else {
                    // Anywhere from start-up to a little past the whole run's length.
                    let delay = Double(generator.nextUniform()) * uninterrupted * 1.2
                    try await Task.sleep(for: .seconds(delay))
                }
                if run.process.isRunning {
                    run.kill()
                    kills += 1
                    if inSave { killsInSaves += 1 }
                }
            }
            let status = await run.wait(timeout: .seconds(600))
            finished = status == 0 && FileManager.default.fileExists(atPath: victim + "/model.safetensors")
            if finished && (kills < Self.killCount || killsInSaves == 0) {
                // The run outpaced the campaign (a late kill leaves few steps to interrupt): start it over so
                // every campaign makes its full number of kills, half of them inside a save.
                try FileManager.default.removeItem(atPath: victim)
                try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
                finished = false
            }
        }
        #expect(finished, "the run never completed")
        #expect(kills > 0 && killsInSaves > 0, "\(kills) kills, \(killsInSaves) of them inside a save")
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(!text.contains(".tmp (verified"), "never resumed from an uncommitted folder")
        let resumes = text.components(separatedBy: "resumed at step").count - 1
        #expect(resumes >= 1, "at least one kill landed after a commit, so a resume happened (\(kills) kills)")
        #expect(try MetricsFile.losses(victim + "/metrics.jsonl").map(\.bitPattern)
                == MetricsFile.losses(reference + "/metrics.jsonl").map(\.bitPattern))
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim + "/model.safetensors"))
                == Data(contentsOf: URL(fileURLWithPath: reference + "/model.safetensors")))
    }

    /// Returns as soon as `folder` holds a `checkpoint-<n>.tmp` folder, or when `run` exits.
    static func waitForUncommittedFolder(in folder: String, while run: CairnProcess) async throws {
        while run.process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if names.contains(where: { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".tmp") }) { return }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
