public import CairnCore

/// How tensors are named inside a checkpoint's safetensors files.
///
/// Tensors of the `model` namespace take the name this function gives (the trainer maps canonical keys to Hugging
/// Face parameter names, so `model/model.safetensors` loads in transformers); every other tensor is named by its
/// full canonical key. The manifest records each piece's name, so reading never needs the function.
public struct CheckpointNaming: Sendable {
    /// The name of a `model.*` tensor inside `model/` files.
    public var modelTensorName: @Sendable (StateKey) -> String
    /// The folder and file stem of the `model` namespace's files: `model` and `model` by default
    /// (`model/model.safetensors`); a LoRA run saves only its adapters, as PEFT does, in `adapter/adapter_model…`.
    public var modelFolder: String
    public var modelFileStem: String

    /// Creates a naming; by default a model tensor is named by its full key in `model/model.safetensors`.
    public init(
        modelTensorName: @escaping @Sendable (StateKey) -> String = { $0.rawValue }, modelFolder: String = "model",
        modelFileStem: String = "model"
    ) {
        self.modelTensorName = modelTensorName
        self.modelFolder = modelFolder
        self.modelFileStem = modelFileStem
    }

    /// The file that holds `key`'s piece: the namespace's folder, or for the `model` namespace the configured one.
    public func file(for key: StateKey, shardOf rank: Int?, worldSize: Int) -> String {
        let namespace = key.first
        guard namespace == Substring(StateNamespace.model.rawValue) else {
            return CheckpointPath.tensorFile(namespace: namespace, shardOf: rank, worldSize: worldSize)
        }
        return CheckpointPath.tensorFile(folder: modelFolder, stem: modelFileStem, shardOf: rank, worldSize: worldSize)
    }

    /// The name of `key`'s tensor inside its file.
    public func tensorName(for key: StateKey) -> String {
        key.first == Substring(StateNamespace.model.rawValue) ? modelTensorName(key) : key.rawValue
    }

    /// Names a model tensor by dropping the leading `model.` of its key: `model.model.layers.0…` → `model.layers.0…`,
    /// for models whose canonical keys are the Hugging Face names under the `model` namespace.
    public static let droppingModelNamespace = CheckpointNaming { key in
        key.removingPrefix(StateNamespace.model.key).map(\.rawValue) ?? key.rawValue
    }
}
