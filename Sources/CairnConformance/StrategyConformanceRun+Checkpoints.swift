import CairnCheckpoint
import CairnCore
import CairnEmbedded
import CairnSingle
import CairnTrainer

/// The laws about saves that fail and checkpoints that resume elsewhere.
extension StrategyConformanceRun {
    // MARK: - Failed save

    /// Breaks the second scheduled save, once by failing the last rank's write and once by crashing rank 0 before
    /// the commit, and reruns with `auto` after each.
    func failedSaveIsNeverCommitted(worldSize: Int) async throws -> [Failure] {
        var failures: [Failure] = []
        let faults: [StrategyConformanceFaultyBackend.Fault] = [
            .failWrite(path: CheckpointPath.rankState(rank: worldSize - 1)), .crashBeforeCommit,
        ]
        for fault in faults {
            failures += try await failedSave(fault, worldSize: worldSize)
        }
        return failures
    }

    private func failedSave(_ fault: StrategyConformanceFaultyBackend.Fault, worldSize: Int) async throws -> [Failure] {
        let law = Law.failedSaveIsNeverCommitted
        let reference = try await uninterrupted(strategy, worldSize: worldSize)
        let previous = options.saveSteps
        let broken = CheckpointID(step: 2 * options.saveSteps)
        let storage = InMemoryBackend()
        let faulty = StrategyConformanceFaultyBackend(storage: storage, fault: fault, of: broken)
        let rank: Int? = if case .failWrite = fault { worldSize - 1 } else { 0 }
        var failures: [Failure] = []
        try await withScratchFolder { folder in
            do {
                let summary = try await train(strategy, worldSize: worldSize, backend: faulty, outputDir: folder)
                failures.append(failure(law, worldSize: worldSize, rank: rank, step: broken.step,
                                        expected: "the run to fail after \(fault) in the save of \(broken.name)",
                                        actual: "it completed \(summary.finalStep) steps "
                                            + "(the fault fired: \(faulty.hasFired))"))
                return
            } catch is CheckpointError {
                // The save failed as it must; what matters next is what it left behind.
            } catch {
                failures.append(failure(law, worldSize: worldSize, rank: rank, step: broken.step,
                                        expected: "a CheckpointError after \(fault)",
                                        actual: "\(type(of: error)): \(error)"))
            }
            guard faulty.hasFired else {
                failures.append(failure(law, worldSize: worldSize, rank: rank, step: broken.step,
                                        expected: "the run to reach the save of \(broken.name) and meet \(fault)",
                                        actual: "it failed before"))
                return
            }
            let committed = try await storage.committedSteps()
            guard committed == [previous] else {
                failures.append(failure(law, worldSize: worldSize, step: broken.step,
                                        expected: "only \(CheckpointID(step: previous).name) committed after \(fault)",
                                        actual: "committed steps \(committed)",
                                        hint: "a checkpoint whose save failed was committed anyway"))
                return
            }
            let rerun = try await train(strategy, worldSize: worldSize, backend: storage, outputDir: folder,
                                        resume: true)
            failures += resumedRun(law, worldSize: worldSize, summary: rerun, from: previous)
            failures += lossesIdentical(law, worldSize: worldSize,
                                        expected: Array(reference.losses.dropFirst(previous)),
                                        actual: rerun.losses, firstStep: previous + 1,
                                        what: "after \(fault), the uninterrupted loss")
        }
        guard failures.isEmpty else { return failures }
        let final = try await StrategyConformanceSavedState.read(from: storage, step: options.steps)
        return statesIdentical(law, worldSize: worldSize, expected: reference.final, actual: final,
                               what: "after \(fault), the rerun's final checkpoint")
    }

    // MARK: - Resharded resume

    /// Resumes each world size's stop checkpoint at the next world size, and the largest one's as `single`; or,
    /// for a strategy that cannot reshard, checks that such a resume is refused.
    func reshardedResume() async -> [Failure] {
        let law = Law.reshardedResume
        var schedules: [(source: Int, target: any DistStrategy, worldSize: Int)] = []
        for (index, source) in worldSizes.enumerated() where worldSizes.count > 1 {
            schedules.append((source, strategy, worldSizes[(index + 1) % worldSizes.count]))
        }
        if let largest = worldSizes.last, largest > 1 || kind != SingleDeviceStrategy.kind {
            schedules.append((largest, single, 1))
        }
        var failures: [Failure] = []
        for schedule in schedules {
            do {
                failures += Strategy.supportsReshardedResume
                    ? try await resumes(from: schedule.source, as: schedule.target, worldSize: schedule.worldSize)
                    : try await refusesResume(from: schedule.source, as: schedule.target, worldSize: schedule.worldSize)
            } catch {
                failures.append(failure(law, worldSize: schedule.source,
                                        expected: "resuming at world size \(schedule.worldSize) under "
                                            + "\(type(of: schedule.target).kind) to complete",
                                        actual: "\(error)"))
            }
        }
        return failures
    }

    /// Resumes the stop checkpoint of `source` with `target` on `worldSize` ranks and compares with `single`.
    private func resumes(from source: Int, as target: any DistStrategy, worldSize: Int) async throws -> [Failure] {
        let law = Law.reshardedResume
        let reference = try await uninterrupted(single, worldSize: 1)
        let backend = try await stoppedCheckpoint(worldSize: source).copying(stopCheckpoint)
        let k = options.stopAfterStep
        let summary = try await withScratchFolder { folder in
            try await train(target, worldSize: worldSize, backend: backend, outputDir: folder, resume: true)
        }
        let label = "saved by \(kind) ×\(source), resumed by \(type(of: target).kind) ×\(worldSize):"
        var failures = resumedRun(law, worldSize: worldSize, summary: summary, from: k)
        failures += lossesAgree(law, worldSize: worldSize, expected: Array(reference.losses.dropFirst(k)),
                                actual: summary.losses, firstStep: k + 1, what: "\(label) single's uninterrupted loss")
        guard failures.isEmpty else { return failures }
        let final = try await StrategyConformanceSavedState.read(from: backend, step: options.steps)
        let samples = Int64(options.steps * options.globalBatchSize)
        let counters: [StateKey] = ["train_state.samples_seen", "dataloader.samples_consumed"]
        for key in counters where final.integer(key) != samples {
            failures.append(failure(law, worldSize: worldSize, step: options.steps, key: key,
                                    expected: "\(label) \(samples) samples after \(options.steps) steps",
                                    actual: final.integer(key).map(String.init) ?? "no integer"))
        }
        if final.integer("train_state.global_step") != Int64(options.steps) {
            failures.append(failure(law, worldSize: worldSize, key: "train_state.global_step",
                                    expected: "\(label) step \(options.steps)",
                                    actual: final.integer("train_state.global_step").map(String.init) ?? "none"))
        }
        return failures + parametersAgree(law, worldSize: worldSize, expected: reference.final, actual: final)
    }

    /// Checks that the stop checkpoint of `source` is refused by `target` on `worldSize` ranks.
    private func refusesResume(
        from source: Int, as target: any DistStrategy, worldSize: Int
    ) async throws -> [Failure] {
        let backend = try await stoppedCheckpoint(worldSize: source).copying(stopCheckpoint)
        let expected = "a checkpoint of \(kind) ×\(source) (which declares supportsReshardedResume = false) to be "
            + "refused by \(type(of: target).kind) ×\(worldSize) with CheckpointError.incompatible"
        do {
            _ = try await withScratchFolder { folder in
                try await train(target, worldSize: worldSize, backend: backend, outputDir: folder, resume: true)
            }
            return [failure(.reshardedResume, worldSize: worldSize, expected: expected, actual: "it resumed")]
        } catch let error as CheckpointError where error.code == .incompatible {
            return []
        } catch {
            return [failure(.reshardedResume, worldSize: worldSize, expected: expected, actual: "\(error)")]
        }
    }
}
