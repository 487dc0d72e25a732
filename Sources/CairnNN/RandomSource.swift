public import CairnCore

/// A rank's random stream, shared by reference between the trainer (which saves and restores it) and the layers
/// that draw from it during training (LoRA dropout).
///
/// Draws happen in forward order, which is fixed, so a run and its resumption draw the same numbers.
public final class RandomSource {
    /// The generator.
    public var generator: PhiloxRandom

    /// Creates a source at `generator`'s position.
    public init(_ generator: PhiloxRandom) {
        self.generator = generator
    }
}
