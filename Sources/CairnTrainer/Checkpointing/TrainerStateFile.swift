import CairnConfig
import Foundation

/// `trainer_state.json` inside a checkpoint: the counters, the run's normalized configuration (so a resume can say
/// what changed) and the loss history, in the spirit of Hugging Face's file of the same name.
struct TrainerStateFile: Codable, Sendable {
    struct LogEntry: Codable, Sendable {
        var step: Int
        var epoch: Double
        var loss: Double
        var learningRate: Double
        var gradientNorm: Double

        enum CodingKeys: String, CodingKey {
            case step, epoch, loss
            case learningRate = "learning_rate"
            case gradientNorm = "grad_norm"
        }
    }

    var globalStep: Int
    var epoch: Double
    var samplesSeen: Int
    var tokensSeen: Int
    var numTrainingSteps: Int
    var worldSize: Int
    var configuration: [String: String]
    var logHistory: [LogEntry]

    enum CodingKeys: String, CodingKey {
        case globalStep = "global_step"
        case epoch
        case samplesSeen = "samples_seen"
        case tokensSeen = "tokens_seen"
        case numTrainingSteps = "num_training_steps"
        case worldSize = "world_size"
        case configuration
        case logHistory = "log_history"
    }

    static let fileName = "trainer_state.json"

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) throws -> TrainerStateFile {
        try JSONDecoder().decode(TrainerStateFile.self, from: data)
    }

    /// The configuration changes between the run that saved this file and `current`, as the config layer reports
    /// them (`learning_rate changed 0.0001 → 0.0002`).
    func changes(to current: TrainingConfiguration) -> [ConfigurationChange] {
        let new = Dictionary(current.normalizedEntries.map { ($0.key, $0.value) }) { first, _ in first }
        return Set(configuration.keys).union(new.keys).sorted().compactMap { key in
            configuration[key] == new[key] ? nil : ConfigurationChange(key: key, oldValue: configuration[key], newValue: new[key])
        }
    }
}
