import CairnCheckpoint
import CairnConfig
import CairnCore
import CairnJSON
import Foundation
import Logging

/// One rank's checkpoint policy (DESIGN.md §8): which checkpoint to resume from, when to save, what to keep,
/// and asynchronous saves. I/O goes through `CairnCheckpoint` (writer, distributed commit, reader, verifier).
///
/// > Important: every method that takes part in a save or a resume is a collective: every rank calls it at the
/// > same step.
final class CheckpointManager {
    let backend: any CheckpointBackend
    let communicator: any Communicator
    let schedule: CheckpointSchedule
    let retention: RetentionPolicy
    let saveAsync: Bool
    let naming: CheckpointNaming
    let logger: Logger
    /// The checkpoint the run resumed from, kept by retention until this run commits a newer one.
    private(set) var resumedFrom: CheckpointID?
    private var protected: CheckpointID?
    private var inFlight: InFlightSave?
    private let snapshots = SnapshotPool()
    /// Every save this manager committed: how long training waited for it, and how long it took in all.
    private(set) var saveRecords: [(checkpoint: CheckpointID, trainingWaited: Duration, total: Duration)] = []

    private var isLead: Bool { communicator.rank == 0 }

    /// An asynchronous save whose files are being written in the background.
    private struct InFlightSave {
        var checkpoint: CheckpointID
        var metadata: CheckpointMetadata
        var writing: Task<RankContribution, any Error>
        var finished: CompletionFlag
        var started: ContinuousClock.Instant
        /// Finishes when the snapshot copy is complete; the trainer must wait for it before updating parameters.
        var snapshotReady: Task<Void, Never>?
        /// Time training spent waiting for this save.
        var stall: Duration
    }

    init(
        backend: any CheckpointBackend, communicator: any Communicator, schedule: CheckpointSchedule, retention: RetentionPolicy,
        saveAsync: Bool, naming: CheckpointNaming, logger: Logger
    ) {
        self.backend = backend
        self.communicator = communicator
        self.schedule = schedule
        self.retention = retention
        self.saveAsync = saveAsync
        self.naming = naming
        self.logger = logger
    }

    // MARK: - Start

    /// Removes uncommitted folders that dead runs left behind (rank 0; before this run writes anything).
    func removeStaleUncommitted() async throws {
        if isLead {
            for listing in try await backend.list() where !listing.isCommitted {
                logger.notice("removing \(listing.location): an uncommitted checkpoint left by an interrupted save")
                try await backend.delete(listing.id)
            }
        }
        try await communicator.barrier()
    }

    /// Decides where to resume from (`nil`: start fresh), on rank 0, and tells every rank.
    ///
    /// `auto` takes the highest-step checkpoint in the output folder that is committed and verifies, logging each
    /// one it skips and why; an explicit path must be committed and verify, or the run stops with an error naming
    /// the problem.
    /// - Throws: ``CheckpointError`` for an explicit path that is missing, uncommitted or damaged.
    func resolveResume(_ request: String?) async throws -> ResumeDecision? {
        var decision: ResumeDecision?
        var failure: (any Error)?
        if isLead {
            do { decision = try await decide(request) } catch { failure = error }
        }
        let shared = try await communicator.allGatherBytes(
            failure.map { Array("!\($0)".utf8) } ?? ResumeDecision.encode(decision))
        if let failure { throw failure }
        if shared[0].first == UInt8(ascii: "!") {
            throw CheckpointError(.commitFailed, rank: 0, String(decoding: shared[0].dropFirst(), as: UTF8.self))
        }
        return ResumeDecision.decode(shared[0])
    }

    /// Loads `decision`'s checkpoint into `registry`, after checking that it can resume this run, and returns its
    /// `trainer_state.json`.
    /// - Throws: ``CheckpointError`` `.incompatible` for another base model, another global batch, or a world-size
    ///   or strategy change the strategies do not support.
    func restore(
        _ decision: ResumeDecision, into registry: StateRegistry, compatibility: ResumeCompatibility
    ) async throws -> TrainerStateFile {
        let source: any CheckpointBackend = decision.root.map { FileSystemBackend(root: $0) } ?? backend
        let reader = try await CheckpointReader(backend: source, checkpoint: decision.checkpoint)
        let stateBytes = try await reader.readFile(TrainerStateFile.fileName)
        let state: TrainerStateFile
        do {
            state = try TrainerStateFile.decode(Data(stateBytes.byteArray()))
        } catch {
            throw CheckpointError(.malformed, checkpoint: decision.location, file: TrainerStateFile.fileName,
                                  "cannot read the trainer state", cause: error)
        }
        try compatibility.check(reader.manifest, trainerState: state, checkpoint: decision.location,
                                logger: isLead ? logger : nil)
        // Rank 0 verified every digest while deciding, so ranks read only the byte ranges they need.
        let loaded = try await reader.read(into: registry.stateDict(), rank: communicator.rank,
                                           worldSize: communicator.worldSize, verification: .exactRanges)
        try registry.load(loaded)
        resumedFrom = decision.checkpoint
        if decision.root == nil { protected = decision.checkpoint }
        return state
    }

    // MARK: - Saving

    /// Saves if `reason` says so, and finishes an asynchronous save whose files every rank has written.
    func afterStep(
        _ step: Int, reason: CheckpointSchedule.Reason?, registry: StateRegistry, metadata: () -> CheckpointMetadata,
        extraFiles: () throws -> [CheckpointFile]
    ) async throws {
        if inFlight != nil, try await everyRankFinishedWriting() { try await commitInFlight() }
        guard let reason else { return }
        let checkpoint = CheckpointID(step: step)
        if inFlight != nil { try await commitInFlight() }
        try await CheckpointCommit.prepare(checkpoint, backend: backend, communicator: communicator)
        let extras = isLead ? try extraFiles() : []
        if saveAsync && reason != .stop && reason != .end {
            let started = ContinuousClock.now
            let snapshot = snapshots.beginSnapshot(try registry.stateDict())
            let (backend, naming, rank, worldSize) = (backend, naming, communicator.rank, communicator.worldSize)
            let finished = CompletionFlag()
            let writing = Task {
                defer { finished.set() }
                await snapshot.ready.value
                return try await CheckpointWriter.writeRankFiles(
                    snapshot.state, rank: rank, worldSize: worldSize, checkpoint: checkpoint, backend: backend,
                    naming: naming, extraFiles: extras)
            }
            inFlight = InFlightSave(checkpoint: checkpoint, metadata: metadata(), writing: writing, finished: finished,
                                    started: started, snapshotReady: snapshot.ready,
                                    stall: ContinuousClock.now - started)
            if isLead { logger.info("saving \(checkpoint.name) in the background (\(reason.rawValue))") }
        } else {
            let started = ContinuousClock.now
            var contribution: RankContribution?
            var failure: (any Error)?
            do {
                contribution = try await CheckpointWriter.writeRankFiles(
                    try registry.stateDict(), rank: communicator.rank, worldSize: communicator.worldSize,
                    checkpoint: checkpoint, backend: backend, naming: naming, extraFiles: extras)
            } catch {
                failure = error
            }
            let manifest = try await CheckpointCommit.commit(
                contribution, failure: failure, checkpoint: checkpoint, metadata: metadata(), backend: backend,
                communicator: communicator)
            let elapsed = ContinuousClock.now - started
            try await committed(checkpoint, manifest: manifest, reason: reason.rawValue, started: started)
            saveRecords.append((checkpoint, elapsed, elapsed))
        }
    }

    /// Waits, if an asynchronous save is still copying the state, until the copy is complete: the trainer calls
    /// this right before it updates parameters or optimizer state.
    func beforeStateMutation() async {
        guard let ready = inFlight?.snapshotReady else { return }
        let started = ContinuousClock.now
        await ready.value
        inFlight?.snapshotReady = nil
        inFlight?.stall += ContinuousClock.now - started
    }

    /// Waits for an asynchronous save still in flight and commits it (at the end of training).
    func finish() async throws {
        if inFlight != nil { try await commitInFlight() }
    }

    // MARK: - Private helpers

    private func decide(_ request: String?) async throws -> ResumeDecision? {
        guard let request else {
            let committed = try await backend.list().filter(\.isCommitted)
            if let newest = committed.last {
                logger.notice("""
                    output_dir holds committed checkpoints (newest \(newest.location)) but resume_from_checkpoint \
                    is not set: starting from scratch; set resume_from_checkpoint: auto to continue
                    """)
            }
            return nil
        }
        if request == "auto" {
            let listings = try await backend.list()
            for listing in listings.reversed() {
                guard listing.isCommitted else {
                    logger.notice("skipping \(listing.location): not committed (a save was interrupted)")
                    continue
                }
                let report = await CheckpointVerifier.verify(backend: backend, checkpoint: listing.id)
                guard report.isValid else {
                    logger.warning("skipping \(listing.location): \(report.problems.map(\.description).joined(separator: "; "))")
                    continue
                }
                logger.info("resuming from \(listing.location) (verified \(report.filesChecked) files, \(report.bytesChecked) bytes)")
                return ResumeDecision(root: nil, checkpoint: listing.id, location: listing.location)
            }
            logger.info("no committed checkpoint in output_dir: starting from scratch")
            return nil
        }
        let decision = try ResumeDecision.explicit(request)
        let report = await CheckpointVerifier.verify(backend: FileSystemBackend(root: decision.root ?? ""),
                                                     checkpoint: decision.checkpoint)
        guard report.isValid else {
            let code: CheckpointError.Code = !report.isCommitted ? .notCommitted : report.problems.first?.code ?? .corrupt
            throw CheckpointError(
                code, checkpoint: decision.location, step: decision.checkpoint.step,
                "resume_from_checkpoint cannot be used: \(report.problems.map(\.description).joined(separator: "; "))")
        }
        logger.info("resuming from \(decision.location) (verified \(report.filesChecked) files, \(report.bytesChecked) bytes)")
        return decision
    }

    /// Whether every rank's background write has finished (a collective: each rank reports its own).
    private func everyRankFinishedWriting() async throws -> Bool {
        let mine: Int64 = inFlight?.finished.isSet ?? true ? 1 : 0
        return try await communicator.allReduce(mine, .min) == 1
    }

    private func commitInFlight() async throws {
        guard let save = inFlight else { return }
        inFlight = nil
        var contribution: RankContribution?
        var failure: (any Error)?
        do { contribution = try await save.writing.value } catch { failure = error }
        let manifest = try await CheckpointCommit.commit(
            contribution, failure: failure, checkpoint: save.checkpoint, metadata: save.metadata, backend: backend,
            communicator: communicator)
        try await committed(save.checkpoint, manifest: manifest,
                            reason: "background; training waited \(Self.milliseconds(save.stall)) ms for its snapshot",
                            started: save.started)
        saveRecords.append((save.checkpoint, save.stall, ContinuousClock.now - save.started))
    }

    private func committed(_ checkpoint: CheckpointID, manifest: CheckpointManifest, reason: String,
                           started: ContinuousClock.Instant) async throws {
        protected = nil
        guard isLead else { return }
        let bytes = manifest.files.reduce(0) { $0 + $1.byteCount }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        logger.info("committed \(checkpoint.name) (\(reason)): \(manifest.files.count) files, \(Self.megabytes(bytes)) MB in \(String(format: "%.2f", seconds)) s")
        for old in retention.checkpointsToDelete(try await backend.list(), protected: protected) {
            logger.info("removing \(old.name) (save_total_limit \(retention.totalLimit ?? 0))")
            try await backend.delete(old)
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f", duration / .milliseconds(1))
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / 1e6)
    }
}
