public import CairnCore
import CairnJSON

/// The distributed commit of a checkpoint (DESIGN.md §7): every rank reports what it wrote (or that it failed),
/// rank 0 checks the reports, writes the manifest and commits through the backend, and every rank learns the
/// outcome. No rank returns success unless the checkpoint is committed.
///
/// ```swift
/// try await CheckpointCommit.prepare(id, backend: backend, communicator: communicator)
/// var contribution: RankContribution?
/// var failure: (any Error)?
/// do { contribution = try await CheckpointWriter.writeRankFiles(state, rank: r, worldSize: w, checkpoint: id,
///                                                             backend: backend, naming: naming, extraFiles: extras) }
/// catch { failure = error }
/// let manifest = try await CheckpointCommit.commit(contribution, failure: failure, checkpoint: id,
///                                                  metadata: metadata, backend: backend, communicator: communicator)
/// ```
///
/// > Important: both functions are collectives: every rank calls them, in the same order. A rank whose write
/// > failed still calls ``commit(_:failure:checkpoint:metadata:backend:communicator:)`` with its error, so the
/// > others abort instead of waiting.
public enum CheckpointCommit {
    /// Clears what a crashed earlier attempt at the same step left in the uncommitted checkpoint, then waits
    /// for every rank, so no rank writes before the folder is clean.
    ///
    /// Rank 0 removes the uncommitted copy (``UncommittedCheckpointDiscarding/discardUncommitted(_:)`` when the
    /// backend offers it, else a delete when the backend holds only an uncommitted copy); a committed checkpoint
    /// of the same step stays until the new one replaces it at commit.
    /// - Throws: ``CheckpointError`` `.io`, or ``CommunicatorError`` when a peer fails.
    public static func prepare(
        _ checkpoint: CheckpointID, backend: any CheckpointBackend, communicator: any Communicator
    ) async throws {
        var failure: (any Error)?
        if communicator.rank == 0 {
            do {
                if let discarding = backend as? any UncommittedCheckpointDiscarding {
                    try await discarding.discardUncommitted(checkpoint)
                } else {
                    let listings = try await backend.list().filter { $0.id == checkpoint }
                    if !listings.isEmpty, !listings.contains(where: \.isCommitted) { try await backend.delete(checkpoint) }
                }
            } catch {
                failure = error
            }
        }
        let outcome = try await communicator.allGatherBytes(failure == nil ? [1] : [0])
        if let failure { throw failure }
        guard outcome[0] == [1] else {
            throw CheckpointError(.commitFailed, checkpoint: checkpoint.name, step: checkpoint.step, rank: 0,
                                  "rank 0 could not clear the uncommitted checkpoint")
        }
    }

    /// The distributed commit (every rank calls it after ``CheckpointWriter/writeRankFiles(_:rank:worldSize:checkpoint:backend:naming:extraFiles:)``):
    /// gathers every rank's contribution to rank 0 (`allGatherBytes`), rank 0 validates them, writes the
    /// manifest and commits through the backend; every rank learns the outcome.
    ///
    /// - Parameters:
    ///   - contribution: what this rank wrote, or `nil` when its write failed.
    ///   - failure: this rank's own error, which makes every rank abort.
    /// - Returns: the committed manifest, on every rank.
    /// - Throws: ``CheckpointError`` `.commitFailed` naming the failing rank (its cause is this rank's own error
    ///   when it was this rank), or ``CommunicatorError`` when a peer dies during the commit.
    public static func commit(
        _ contribution: RankContribution?, failure: (any Error)?, checkpoint: CheckpointID,
        metadata: CheckpointMetadata, backend: any CheckpointBackend, communicator: any Communicator
    ) async throws -> CheckpointManifest {
        let rank = communicator.rank
        let report: JSONValue
        if let failure {
            report = ["status": "failed", "error": .string("\(failure)")]
        } else if let contribution {
            report = ["status": "written", "contribution": contribution.json()]
        } else {
            report = ["status": "failed", "error": "the rank passed neither a contribution nor a failure"]
        }
        let gathered = try await communicator.allGatherBytes(JSONWriter.encode(report))
        // Every rank decodes every report the same way, so all of them take the same branch below.
        let contributions: [RankContribution]
        do {
            contributions = try decode(gathered, checkpoint: checkpoint, worldSize: communicator.worldSize)
        } catch {
            var located = error
            if located.rank == rank, let failure { located.cause = failure }
            throw located
        }
        var outcome: [UInt8] = []
        var commitError: (any Error)?
        if rank == 0 {
            do {
                let manifest = try makeManifest(contributions, metadata: metadata, checkpoint: checkpoint)
                let bytes = manifest.encoded()
                try await backend.commit(checkpoint, manifest: bytes)
                outcome = [1] + bytes
            } catch {
                commitError = error
                outcome = [0] + Array("\(error)".utf8)
            }
        }
        let outcomes = try await communicator.allGatherBytes(outcome)
        guard let status = outcomes[0].first, status == 1 else {
            throw CheckpointError(
                .commitFailed, checkpoint: checkpoint.name, step: checkpoint.step, rank: 0,
                "rank 0 could not commit: \(String(decoding: outcomes[0].dropFirst(), as: UTF8.self))", cause: commitError)
        }
        return try CheckpointManifest(json: Array(outcomes[0].dropFirst()))
    }

    // MARK: - Private helpers

    /// Every rank's contribution, or the first failure a rank reported (or a report that makes no sense).
    private static func decode(
        _ reports: [[UInt8]], checkpoint: CheckpointID, worldSize: Int
    ) throws(CheckpointError) -> [RankContribution] {
        func failure(_ rank: Int, _ message: String) -> CheckpointError {
            CheckpointError(.commitFailed, checkpoint: checkpoint.name, step: checkpoint.step, rank: rank, message)
        }
        var contributions: [RankContribution] = []
        for (rank, bytes) in reports.enumerated() {
            let source = "rank \(rank)'s report"
            do {
                let report = try JSONParser.parse(bytes, options: JSONParser.Options(maximumDepth: 64))
                switch report["status"]?.stringValue {
                case "written":
                    let contribution = try RankContribution(json: report["contribution"] ?? .null, source: source)
                    guard contribution.rank == rank, contribution.worldSize == worldSize else {
                        throw failure(rank, "wrote as rank \(contribution.rank) of \(contribution.worldSize), not \(rank) of \(worldSize)")
                    }
                    contributions.append(contribution)
                case "failed":
                    throw failure(rank, "rank \(rank) failed to write its files: \(report["error"]?.stringValue ?? "unknown error")")
                default:
                    throw failure(rank, "\(source) has no status")
                }
            } catch let error as CheckpointError {
                throw error.code == .commitFailed ? error : failure(rank, "\(source) is malformed: \(error.message)")
            } catch {
                throw failure(rank, "\(source) is not JSON: \(error)")
            }
        }
        return contributions
    }

    /// Merges the contributions into a manifest and checks it.
    static func makeManifest(
        _ contributions: [RankContribution], metadata: CheckpointMetadata, checkpoint: CheckpointID
    ) throws(CheckpointError) -> CheckpointManifest {
        guard metadata.globalStep == checkpoint.step else {
            throw CheckpointError(.malformed, checkpoint: checkpoint.name, step: checkpoint.step,
                                  "the metadata says step \(metadata.globalStep)")
        }
        var files: [String: (record: CheckpointFileRecord, rank: Int)] = [:]
        var tensors: [StateKey: SavedTensor] = [:]
        for contribution in contributions {
            for record in contribution.files {
                if let previous = files[record.path] {
                    throw CheckpointError(.commitFailed, checkpoint: checkpoint.name, step: checkpoint.step,
                                          rank: contribution.rank, file: record.path,
                                          "ranks \(previous.rank) and \(contribution.rank) both wrote this file")
                }
                files[record.path] = (record, contribution.rank)
            }
            guard files[contribution.rankStateFile]?.rank == contribution.rank else {
                throw CheckpointError(.commitFailed, checkpoint: checkpoint.name, step: checkpoint.step,
                                      rank: contribution.rank, "the rank did not write \(contribution.rankStateFile)")
            }
            for (name, tensor) in contribution.tensors {
                let key = StateKey(name)
                guard var merged = tensors[key] else {
                    tensors[key] = tensor
                    continue
                }
                guard merged.elementType == tensor.elementType, merged.shape == tensor.shape else {
                    throw CheckpointError(
                        .commitFailed, checkpoint: checkpoint.name, step: checkpoint.step, rank: contribution.rank,
                        key: key, "the rank holds \(tensor.elementType.rawValue)\(tensor.shape), another rank \(merged.elementType.rawValue)\(merged.shape)")
                }
                merged = SavedTensor(elementType: merged.elementType, shape: merged.shape, pieces: merged.pieces + tensor.pieces)
                tensors[key] = merged
            }
        }
        let manifest = CheckpointManifest(
            metadata: metadata, worldSize: contributions.count, files: files.values.map(\.record), tensors: tensors,
            rankFiles: contributions.map(\.rankStateFile))
        do {
            try manifest.validate()
        } catch {
            var located = error
            located.checkpoint = checkpoint.name
            located.step = checkpoint.step
            throw located
        }
        return manifest
    }
}

/// A backend that can drop the uncommitted copy of a checkpoint while keeping a committed one of the same step,
/// which ``CheckpointCommit/prepare(_:backend:communicator:)`` uses before a save rewrites a step.
///
/// ``FileSystemBackend`` conforms; `CairnEmbedded.InMemoryBackend` has the method and conforms wherever both
/// modules are imported (`extension InMemoryBackend: UncommittedCheckpointDiscarding {}`).
public protocol UncommittedCheckpointDiscarding: CheckpointBackend {
    /// Deletes the uncommitted copy of `checkpoint`, if any; a committed copy stays.
    /// - Throws: ``CheckpointError`` `.io`.
    func discardUncommitted(_ checkpoint: CheckpointID) async throws
}

extension FileSystemBackend: UncommittedCheckpointDiscarding {}
