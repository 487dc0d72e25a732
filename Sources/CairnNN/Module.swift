import CairnCore

/// A node of a model's parameter tree: it owns parameters directly and through child modules.
///
/// Names are Hugging Face's (`self_attn`, `q_proj`, `weight`), so a parameter's key is the path of names
/// from the model's root, and the state dict of the model is a Hugging Face state dict.
public protocol Module: AnyObject {
    /// Every parameter below this module, in any order.
    var allParameters: [Parameter] { get }
}

extension Module {
    /// The parameters below this module sorted by key.
    public var sortedParameters: [Parameter] { allParameters.sorted { $0.key < $1.key } }
}
