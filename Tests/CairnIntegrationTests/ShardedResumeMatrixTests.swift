import Cairn
import Foundation
import Testing

/// Resharded resume across strategies and world sizes (DESIGN.md §7): a checkpoint saved by each of four sharded or
/// replicated layouts resumes under each of four others and continues the uninterrupted `single` run — every
/// step's loss within 1e-5 relative — from the step it was saved at.
///
/// The four source checkpoints and the reference are trained once and shared by the 16 cases; each case resumes
/// from its own copy of a source's output folder.
@Suite(.serialized) struct ShardedResumeMatrixTests {
    /// A strategy at a world size, as `dist_config` overrides.
    struct Placement: Sendable, CustomTestStringConvertible {
        var kind: String
        var worldSize: Int
        /// `stage` for `zero`.
        var stage: Int?
        /// The namespaces whose tensors this placement saves as per-rank pieces.
        var shardedNamespaces: Set<String>

        static let single = Placement(kind: "single", worldSize: 1, stage: nil, shardedNamespaces: [])
        static func ddp(_ worldSize: Int) -> Placement {
            Placement(kind: "ddp", worldSize: worldSize, stage: nil, shardedNamespaces: [])
        }
        static func fsdp2(_ worldSize: Int) -> Placement {
            Placement(kind: "fsdp2", worldSize: worldSize, stage: nil, shardedNamespaces: ["model", "optimizer"])
        }
        static func zero(stage: Int, _ worldSize: Int) -> Placement {
            Placement(kind: "zero", worldSize: worldSize, stage: stage,
                      shardedNamespaces: stage == 3 ? ["model", "optimizer"] : ["optimizer"])
        }

        var overrides: [String] {
            ["dist_config.name=\(kind)", "dist_config.world_size=\(worldSize)"]
                + (stage.map { ["dist_config.stage=\($0)"] } ?? [])
        }

        var testDescription: String { "\(kind)\(stage.map { "(stage \($0))" } ?? "")×\(worldSize)" }
    }

    static let sources: [Placement] = [.fsdp2(4), .zero(stage: 3, 3), .zero(stage: 1, 2), .ddp(2)]
    static let targets: [Placement] = [.single, .ddp(3), .fsdp2(2), .zero(stage: 2, 4)]
    static let totalSteps = 4
    static let savedStep = 2
    /// A global batch of 12 in micro-batches of 1: 12, 6, 4 or 3 accumulation steps on 1, 2, 3 or 4 ranks.
    static let batch = ["global_batch_size=12", "micro_batch_size=1"]

    static func configuration(_ placement: Placement, outputDir: String, resume: Bool = false) throws -> TrainingConfiguration {
        try TrainingFixture.microConfiguration(
            outputDir: outputDir, steps: totalSteps,
            overrides: batch + placement.overrides + (resume ? ["resume_from_checkpoint=auto"] : []))
    }

    @Test(arguments: sources, targets)
    func checkpointResumesUnderAnotherStrategyAndWorldSize(source: Placement, target: Placement) async throws {
        let reference = try await SharedRuns.shared.referenceLosses()
        let saved = try await SharedRuns.shared.stoppedRun(source)
        let folder = try TrainingFixture.temporaryFolder("matrix-\(source.kind)\(source.worldSize)-\(target.kind)\(target.worldSize)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try saved.restore(into: folder)

        let log = LogCapture()
        let resumed = try await TrainingFixture.train(Self.configuration(target, outputDir: folder, resume: true), log: log)
        let label = "\(source.testDescription) → \(target.testDescription)"
        #expect(resumed.stepsRun == Self.totalSteps - Self.savedStep, "\(label)")
        #expect(resumed.finalStep == Self.totalSteps, "\(label)")
        #expect(log.contains("resumed at step \(Self.savedStep)"), "\(label): \(log.messages.filter { $0.contains("resum") })")
        #expect(log.contains("resharding: the checkpoint was saved by \(source.kind) on \(source.worldSize) rank(s); "
                             + "resuming with \(target.kind) on \(target.worldSize)"), "\(label)")
        ManyRanksTests.expectClose(resumed.losses, Array(reference.dropFirst(Self.savedStep)), label + " (resumed steps)")
        ManyRanksTests.expectClose(try MetricsFile.losses(folder + "/metrics.jsonl"), reference, label + " (metrics.jsonl)")
    }

    /// Each source writes per-rank files for exactly the namespaces its strategy shards, one from every rank.
    @Test(arguments: sources)
    func sourceCheckpointIsShardedPerRank(source: Placement) async throws {
        let saved = try await SharedRuns.shared.stoppedRun(source)
        let manifest = try #require(saved.manifest)
        #expect(manifest.worldSize == source.worldSize && manifest.strategyKind == source.kind)
        let files = Set(manifest.files.map(\.path))
        for namespace in ["model", "optimizer"] {
            let rankFiles = (0..<source.worldSize).map {
                CheckpointPath.tensorFile(namespace: Substring(namespace), shardOf: $0, worldSize: source.worldSize)
            }
            if source.shardedNamespaces.contains(namespace) {
                #expect(rankFiles.allSatisfy(files.contains), "\(source.testDescription): \(namespace) pieces of every rank")
            } else {
                #expect(!rankFiles.contains(where: files.contains), "\(source.testDescription): \(namespace) is replicated")
            }
        }
    }
}

extension ShardedResumeMatrixTests {
    /// The runs the cases share, each trained once on first use (concurrent callers wait for the same run).
    actor SharedRuns {
        static let shared = SharedRuns()
        private var reference: Task<[Double], any Error>?
        private var sources: [String: Task<FolderSnapshot, any Error>] = [:]

        /// The losses of the uninterrupted `single` run of ``totalSteps`` steps.
        func referenceLosses() async throws -> [Double] {
            let task = reference ?? Task {
                let folder = try TrainingFixture.temporaryFolder("matrix-reference")
                defer { try? FileManager.default.removeItem(atPath: folder) }
                return try await TrainingFixture.train(configuration(.single, outputDir: folder)).losses
            }
            reference = task
            return try await task.value
        }

        /// The output folder of a run under `placement` stopped (with a checkpoint) after ``savedStep``.
        func stoppedRun(_ placement: Placement) async throws -> FolderSnapshot {
            let key = placement.testDescription
            let task = sources[key] ?? Task {
                let folder = try TrainingFixture.temporaryFolder("matrix-source")
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let summary = try await TrainingFixture.train(configuration(placement, outputDir: folder),
                                                              stopAfterStep: savedStep)
                guard summary.stoppedEarly, summary.finalStep == savedStep,
                    FileManager.default.fileExists(atPath: folder + "/checkpoint-\(savedStep)/COMPLETE")
                else {
                    throw CocoaError(.fileNoSuchFile, userInfo: [
                        NSLocalizedDescriptionKey: "\(key) did not stop at step \(savedStep) with a committed checkpoint"
                    ])
                }
                var snapshot = try FolderSnapshot(folder)
                snapshot.manifest = try await CheckpointReader(
                    backend: FileSystemBackend(root: folder), checkpoint: CheckpointID(step: savedStep)).manifest
                return snapshot
            }
            sources[key] = task
            return try await task.value
        }
    }

    /// Every regular file under a folder, held in memory so the folder can be removed and recreated per case.
    struct FolderSnapshot: Sendable {
        /// Paths relative to the folder, with their bytes.
        var files: [(path: String, contents: Data)]
        /// The manifest of the checkpoint the folder holds, when read.
        var manifest: CheckpointManifest?

        /// Reads every regular file under `folder`.
        init(_ folder: String) throws {
            let manager = FileManager.default
            let paths = manager.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            files = try paths.sorted().compactMap { path in
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue
                else { return nil }
                return (path, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path)))
            }
        }

        /// Writes every file under `folder` (which exists), creating subfolders as needed.
        func restore(into folder: String) throws {
            for file in files {
                let url = URL(fileURLWithPath: folder + "/" + file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: url)
            }
        }
    }
}
