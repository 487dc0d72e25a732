import ArgumentParser
import Cairn
import CairnConfig
import CairnCore
import Logging

/// `cairn train CONFIG [key=value…]`.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a model as a YAML config describes.")

    @Argument(help: "The YAML config file.")
    var config: String

    @Argument(help: "Overrides of config keys, such as max_steps=200 or dist_config.world_size=2.")
    var overrides: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Stop with a checkpoint after this global step, as a preemption would (resume with resume_from_checkpoint=auto).")
    var stopAfterStep: Int?

    func run() async throws {
        var rankLogger = try CommandSupport.makeLogger(level: logLevel)
        // Under mpiexec every process runs this command; only rank 0 reports progress.
        if let launch = MPILaunch.detect(), launch.rank != 0 { rankLogger.logLevel = max(rankLogger.logLevel, .warning) }
        let logger = rankLogger
        try await CommandSupport.reportingErrors {
            try CommandSupport.loadBLAS()
            var configuration = try TrainingConfiguration.load(file: config, overrides: overrides)
            if let launch = MPILaunch.detect(), let size = launch.worldSize {
                try configuration.adoptLauncherWorldSize(size)
            }
            let plan = try TrainingPlan.make(configuration, strategies: .builtIn, logger: logger)
            let stopSignal = StopSignal()
            stopSignal.installHandlers { message in logger.notice("\(message)") }
            if let stopAfterStep { stopSignal.request(afterStep: stopAfterStep) }
            let summary = try await TrainingRun(plan: plan, logger: logger, stopSignal: stopSignal).run()
            let last = summary.losses.last.map { " final loss \($0)," } ?? ""
            if summary.stoppedEarly {
                logger.notice("""
                    stopped after step \(summary.finalStep) of \(summary.totalSteps); resume with \
                    resume_from_checkpoint=auto
                    """)
            } else if summary.stepsRun > 0 {
                logger.info("""
                    finished \(summary.stepsRun) step(s) in \(Int(summary.seconds.rounded())) s,\(last) \
                    \(Int(summary.tokensPerSecond)) tok/s; model in \(summary.modelFolder ?? configuration.outputDir)
                    """)
            }
        }
    }
}

/// `cairn validate CONFIG [key=value…]`.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a config (and its model, tokenizer and dataset) without training.")

    @Argument(help: "The YAML config file.")
    var config: String

    @Argument(help: "Overrides of config keys.")
    var overrides: [String] = []

    func run() async throws {
        let logger = try CommandSupport.makeLogger(level: "info")
        try await CommandSupport.reportingErrors {
            let configuration = try TrainingConfiguration.load(file: config, overrides: overrides)
            let plan = try TrainingPlan.make(configuration, strategies: .builtIn, logger: logger)
            logger.info("""
                \(config) is valid: strategy \(type(of: plan.strategy).kind) on \(plan.worldSize) rank(s), \
                \(plan.totalSteps) steps of \(plan.globalBatchSize) samples
                """)
        }
    }
}
