import CairnCore
import CairnSafetensors
import Foundation

extension Qwen3ForCausalLM {
    /// Whether `folder` holds Hugging Face weights (`model.safetensors` or `model.safetensors.index.json`).
    public static func hasWeights(inFolder folder: String) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: folder + "/model.safetensors")
            || manager.fileExists(atPath: folder + "/model.safetensors.index.json")
    }

    /// Loads every parameter from a Hugging Face folder, one file or sharded with an index; F32, BF16 and F16
    /// weights are widened to float32.
    ///
    /// Strict: a missing tensor, an unexpected tensor or a shape mismatch is an error naming it. A tied model
    /// accepts (and ignores) an `lm_head.weight` some exporters write beside `model.embed_tokens.weight`.
    /// - Throws: ``ConfigurationError`` `.invalidValue` (key path `model`) with the `SafetensorsError` as cause.
    public func loadWeights(fromFolder folder: String) throws {
        let files: SafetensorsFolder
        do {
            files = try SafetensorsFolder(contentsOf: folder)
        } catch {
            throw ConfigurationError(.invalidValue, keyPath: "model", "cannot read the weights in \(folder)", cause: error)
        }
        let expected = Set(allParameters.map { Self.huggingFaceName(for: $0.key) })
        if let stray = files.tensorNames.first(where: {
            !expected.contains($0) && !($0 == "lm_head.weight" && configuration.tiesWordEmbeddings)
        }) {
            throw ConfigurationError(
                .invalidValue, keyPath: "model",
                "\(folder) holds tensor '\(stray)', which this Qwen3 configuration has no parameter for; is config.json the one these weights were saved with?")
        }
        for parameter in allParameters {
            let name = Self.huggingFaceName(for: parameter.key)
            do {
                guard files.contains(name) else {
                    throw ConfigurationError(.invalidValue, keyPath: "model", "\(folder) has no tensor '\(name)'")
                }
                let shape = try files.info(name).shape
                guard shape == parameter.shape else {
                    throw ConfigurationError(
                        .invalidValue, keyPath: "model",
                        "tensor '\(name)' in \(folder) has shape \(shape), the configuration needs \(parameter.shape)")
                }
                try files.readFloats(name, into: parameter.values)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(.invalidValue, keyPath: "model", "cannot read tensor '\(name)' from \(folder)", cause: error)
            }
        }
    }
}
