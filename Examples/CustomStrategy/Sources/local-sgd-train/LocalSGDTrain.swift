import Cairn
import Foundation
import LocalSGD
import Logging

/// `local-sgd-train CONFIG [key=value…]`: trains as `cairn train` does, with `local_sgd` registered beside Cairn's
/// built-in strategies, and prints every step's loss.
///
/// Registration is explicit: the program decides which strategies it offers, and nothing registers itself.
@main
enum LocalSGDTrain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let file = arguments.first, !file.hasPrefix("-") else {
            print("usage: local-sgd-train CONFIG [key=value…]   (for example: local-sgd-train local-sgd.yaml max_steps=8)")
            exit(2)
        }
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: .info) }
        let logger = Logger(label: "local-sgd-train")
        do {
            _ = try BLAS.load()
            var strategies = StrategyRegistry.builtIn
            try strategies.register(LocalSGDStrategy.self)
            let configuration = try TrainingConfiguration.load(file: file, overrides: Array(arguments.dropFirst()))
            let plan = try TrainingPlan.make(configuration, strategies: strategies, logger: logger)
            let stopSignal = StopSignal()
            stopSignal.installHandlers { message in logger.notice("\(message)") }
            let summary = try await TrainingRun(plan: plan, logger: logger, stopSignal: stopSignal).run()
            let firstStep = summary.finalStep - summary.losses.count + 1
            for (index, loss) in summary.losses.enumerated() {
                print("step \(firstStep + index) loss \(loss)")
            }
        } catch {
            Console.standardError.printLine("error: \(error)")
            exit(error is ConfigurationError || error is RegistryError ? 2 : 1)
        }
    }
}
