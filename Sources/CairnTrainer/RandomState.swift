public import CairnCore
public import CairnNN

/// One rank's random number generator: the `rng` namespace of the state graph.
///
/// Its state is four plain integers of Cairn's own `PhiloxRandom`, so resuming on another machine cannot fail on
/// device-specific generator state. Each rank draws from its own stream, named by its rank.
public final class RandomState: StatefulComponent {
    /// The stream the model's layers draw from (LoRA dropout), shared by reference.
    public let source: RandomSource

    /// The generator's current position.
    public var generator: PhiloxRandom {
        get { source.generator }
        set { source.generator = newValue }
    }

    /// Creates the generator of `rank` under the run's `seed`.
    public init(seed: UInt64, rank: Int) {
        source = RandomSource(PhiloxRandom(seed: seed, label: "rng.rank.\(rank)"))
    }

    public func stateDict() throws -> StateDict {
        StateDict([
            ("seed", .int(Int64(bitPattern: generator.seed))),
            ("stream", .int(Int64(bitPattern: generator.stream))),
            ("block_counter", .int(Int64(bitPattern: generator.blockCounter))),
            ("word_index", .int(Int64(generator.wordIndex))),
        ])
    }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys(["seed", "stream", "block_counter", "word_index"], options: options)
        let wordIndex = try dict.int("word_index")
        guard (0...4).contains(wordIndex) else {
            throw StateDictError(.invalidValue, key: "word_index", "word index \(wordIndex) outside 0...4")
        }
        generator = PhiloxRandom(
            seed: UInt64(bitPattern: try dict.int("seed")), stream: UInt64(bitPattern: try dict.int("stream")),
            blockCounter: UInt64(bitPattern: try dict.int("block_counter")), wordIndex: Int(wordIndex))
    }
}
