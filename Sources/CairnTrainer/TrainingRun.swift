import CairnCheckpoint
import CairnConfig
public import CairnCore
import CairnData
import CairnEmbedded
import CairnMPI
import CairnNN
import CairnTensor
import Foundation
public import Logging

/// A training run: the ranks of one process (`dist_config.world_size` of them, as a `LocalRankGroup`), each
/// running the same loop, and the final model written as a Hugging Face folder in `output_dir`.
public struct TrainingRun: Sendable {
    /// What every rank shares.
    public var plan: TrainingPlan
    /// Where progress and events are logged (rank 0 only).
    public var logger: Logger
    /// Where the progress bar goes.
    public var console: Console
    /// Raised to stop after the current step with a checkpoint (the CLI routes SIGTERM and SIGINT to it).
    public var stopSignal: StopSignal
    /// Where checkpoints go; `nil` means a `FileSystemBackend` over `output_dir`.
    public var checkpointBackend: (any CheckpointBackend)?

    /// Creates a run.
    public init(
        plan: TrainingPlan, logger: Logger, console: Console = .standardError, stopSignal: StopSignal = StopSignal(),
        checkpointBackend: (any CheckpointBackend)? = nil
    ) {
        self.plan = plan
        self.logger = logger
        self.console = console
        self.stopSignal = stopSignal
        self.checkpointBackend = checkpointBackend
    }

    /// Trains, saves the final model, and returns rank 0's summary (under MPI: this process's rank's summary).
    ///
    /// Without an MPI launcher the ranks are tasks of this process (`LocalRankGroup`); under `mpiexec` this process
    /// is one rank and talks to the others through `MPICommunicator`. Either way every rank runs the same code.
    public func run() async throws -> TrainingSummary {
        let configuration = plan.configuration
        let launch = MPILaunch.detect()
        var logger = self.logger
        if let launch, launch.rank != 0 { logger.logLevel = max(logger.logLevel, .warning) }
        try FileManager.default.createDirectory(atPath: configuration.outputDir, withIntermediateDirectories: true)
        BLAS.setThreadCount(max(1, ProcessInfo.processInfo.activeProcessorCount / Self.ranksOnThisMachine(plan, launch)))
        logger.info("BLAS: \(BLAS.library.description), \(BLAS.threadCount) thread(s) per rank")
        logger.info("""
            model: \(plan.model.layerCount) layers, hidden \(plan.model.hiddenSize), \(plan.model.parameterCount) parameters \
            (\(plan.hasPretrainedWeights ? "weights from \(configuration.model)" : "random init, seed \(configuration.seed)"))
            """)
        logger.info("""
            strategy \(type(of: plan.strategy).kind) on \(plan.worldSize) rank(s) \
            (\(launch.map { "MPI processes, \($0.launcher.rawValue)" } ?? "threads of this process")); \
            global batch \(plan.globalBatchSize) = \(configuration.microBatchSize) per micro-step × \(plan.worldSize) rank(s) \
            × \(plan.accumulationSteps) accumulation; \(plan.totalSteps) steps
            """)
        let timeout = Duration.seconds(configuration.ddpTimeout)
        if launch != nil {
            let communicator = try await MPICommunicator(timeout: timeout)
            guard communicator.worldSize == plan.worldSize else {
                throw ConfigurationError(
                    .invalidValue, keyPath: "dist_config.world_size",
                    "the plan has \(plan.worldSize) rank(s) but MPI started \(communicator.worldSize) processes")
            }
            return try await runRank(communicator: communicator, logger: logger)
        }
        let group = LocalRankGroup(worldSize: plan.worldSize, timeout: timeout)
        let (run, rankLogger) = (self, logger)
        let summaries = try await group.run { communicator in
            try await run.runRank(communicator: communicator, logger: rankLogger)
        }
        return summaries[0]
    }

    /// One rank's whole run: set up, resume if asked, train, and (rank 0) write the final model.
    private func runRank(communicator: any Communicator, logger: Logger) async throws -> TrainingSummary {
        let configuration = plan.configuration
        let trainer = try await RankTrainer(plan: plan, communicator: communicator, logger: logger, console: console,
                                            stopSignal: stopSignal, checkpointBackend: checkpointBackend)
        try await trainer.resumeIfRequested()
        var summary = try await trainer.train()
        // A complete run always leaves its final model: also when this invocation ran no step because an earlier
        // one was killed between its last checkpoint and the model write.
        let needsModel = summary.stepsRun > 0
            || !FileManager.default.fileExists(atPath: configuration.outputDir + "/model.safetensors")
        if communicator.rank == 0, summary.finalStep >= plan.totalSteps, !summary.stoppedEarly, needsModel {
            summary.modelFolder = try await Self.saveFinalModel(trainer, plan: plan)
            logger.info(plan.lora == nil
                ? "saved the model to \(configuration.outputDir) (config.json + model.safetensors)"
                : "saved the LoRA adapter to \(configuration.outputDir) (adapter_config.json + adapter_model.safetensors)")
        }
        return summary
    }

    /// How many ranks share this machine's cores: all of them in-process; under MPI the launcher's local count
    /// (MPICH `MPI_LOCALNRANKS`, OpenMPI `OMPI_COMM_WORLD_LOCAL_SIZE`), else the world size.
    static func ranksOnThisMachine(_ plan: TrainingPlan, _ launch: MPILaunch?) -> Int {
        guard launch != nil else { return plan.worldSize }
        let environment = ProcessInfo.processInfo.environment
        let local = environment["MPI_LOCALNRANKS"] ?? environment["OMPI_COMM_WORLD_LOCAL_SIZE"]
        return local.flatMap(Int.init) ?? plan.worldSize
    }

    /// Writes the model, a `cairn.json` (tokenizer and template, for `cairn generate`) and, for a Hugging Face
    /// tokenizer, its `tokenizer.json` into `output_dir`.
    ///
    /// A replicated model is written from memory; a sharded one (no rank holds it whole) is consolidated from the
    /// final checkpoint, tensor by tensor (``HuggingFaceExport``).
    static func saveFinalModel(_ trainer: RankTrainer, plan: TrainingPlan) async throws -> String {
        let folder = plan.configuration.outputDir
        do {
            let pieces = try trainer.runtime.parameterPieces()
            if plan.lora != nil {
                // Like PEFT's save_pretrained: the adapter folder only; the base stays where `model` points.
                try await PEFTExport.exportAdapter(
                    from: trainer.checkpoints.backend, checkpoint: CheckpointID(step: trainer.trainState.globalStep),
                    to: folder)
            } else if pieces.allSatisfy({ $0.layout.placement == .replicated }) {
                try trainer.model.save(toFolder: folder, sourceFolder: plan.configuration.model)
            } else {
                _ = try await HuggingFaceExport.export(
                    from: trainer.checkpoints.backend, checkpoint: CheckpointID(step: trainer.trainState.globalStep),
                    to: folder)
            }
            var tokenizerFile = TokenizerLoader.byteTokenizerName
            if plan.tokenizerReference != TokenizerLoader.byteTokenizerName {
                let source = URL(fileURLWithPath: plan.tokenizerReference)
                let file = source.hasDirectoryPath ? source.appendingPathComponent("tokenizer.json") : source
                let target = URL(fileURLWithPath: folder + "/tokenizer.json")
                if file.standardizedFileURL != target.standardizedFileURL {
                    try? FileManager.default.removeItem(at: target)
                    try FileManager.default.copyItem(at: file, to: target)
                }
                tokenizerFile = "tokenizer.json"
            }
            let sidecar = GenerationSettings(
                tokenizer: tokenizerFile, template: plan.configuration.template,
                baseModel: plan.lora == nil ? nil : URL(fileURLWithPath: plan.configuration.model).standardizedFileURL.path)
            try sidecar.write(toFolder: folder)
            return folder
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError(.saveFailed, "cannot write the final model to \(folder)", cause: error)
        }
    }
}
