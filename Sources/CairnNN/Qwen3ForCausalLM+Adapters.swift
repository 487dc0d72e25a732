public import CairnCore
import CairnSafetensors
import Foundation

extension Qwen3ForCausalLM {
    /// Loads the attached adapters' A and B from a PEFT adapter folder (`adapter_model.safetensors`, PEFT names).
    ///
    /// Strict: a tensor the model has no adapter for, a missing tensor, or a shape mismatch is an error naming it.
    /// - Throws: ``ConfigurationError`` `.invalidValue` (key path `adapter_name_or_path`) with the cause.
    public func loadAdapters(fromFolder folder: String) throws {
        let path = folder + "/adapter_model.safetensors"
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: path)
        } catch {
            throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "cannot read \(path)", cause: error)
        }
        let adapterParameters = allParameters.filter {
            $0.key.rawValue.hasSuffix(".lora_A.weight") || $0.key.rawValue.hasSuffix(".lora_B.weight")
        }
        let expected = Set(adapterParameters.map { Self.peftName(for: $0.key) })
        if let stray = file.tensorNames.first(where: { !expected.contains($0) }) {
            throw ConfigurationError(
                .invalidValue, keyPath: "adapter_name_or_path",
                "\(path) holds '\(stray)', which no attached adapter matches; do target_modules and r agree with the adapter?")
        }
        for parameter in adapterParameters {
            let name = Self.peftName(for: parameter.key)
            do {
                guard file.contains(name) else {
                    throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "\(path) has no '\(name)'")
                }
                let shape = try file.info(name).shape
                guard shape == parameter.shape else {
                    throw ConfigurationError(
                        .invalidValue, keyPath: "adapter_name_or_path",
                        "'\(name)' in \(path) has shape \(shape), the attached adapter needs \(parameter.shape)")
                }
                try file.readFloats(name, into: parameter.values)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(.invalidValue, keyPath: "adapter_name_or_path", "cannot read '\(name)'", cause: error)
            }
        }
    }
}
