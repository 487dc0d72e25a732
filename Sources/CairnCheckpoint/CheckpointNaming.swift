public import CairnCore

/// How tensors are named inside a checkpoint's safetensors files.
///
/// Tensors of the `model` namespace take the name this function gives (the trainer maps canonical keys to Hugging
/// Face parameter names, so `model/model.safetensors` loads in transformers); every other tensor is named by its
/// full canonical key. The manifest records each piece's name, so reading never needs the function.
public struct CheckpointNaming: Sendable {
    /// The name of a `model.*` tensor inside `model/` files.
    public var modelTensorName: @Sendable (StateKey) -> String

    /// Creates a naming; by default a model tensor is named by its full key.
    public init(modelTensorName: @escaping @Sendable (StateKey) -> String = { $0.rawValue }) {
        self.modelTensorName = modelTensorName
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
