import CairnCore
import CairnTensor

extension Qwen3ForCausalLM {
    /// Initialises every weight as Hugging Face's Qwen3 `_init_weights` does — linear and embedding weights from
    /// N(0, initializer_range²), RMSNorm scales to one — drawing each parameter from its own `PhiloxRandom` stream
    /// named by its key, so the result does not depend on creation order or on sharding.
    public func initializeRandomly(seed: UInt64) {
        let std = Float(configuration.initializerRange)
        for parameter in allParameters {
            let values = parameter.values
            if parameter.key.rawValue.hasSuffix("norm.weight") {
                values.update(repeating: 1)
                continue
            }
            var generator = PhiloxRandom(seed: seed, label: parameter.key.rawValue)
            let sample = Tensor.normal(parameter.shape, mean: 0, std: std, generator: &generator)
            sample.withUnsafeBufferPointer { source in _ = values.update(fromContentsOf: source) }
        }
    }
}
