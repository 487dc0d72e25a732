/// Cairn's random number generator: Philox4x32-10, a counter-based generator (Salmon et al., "Parallel Random
/// Numbers: As Easy as 1, 2, 3", SC 2011).
///
/// Its whole state is four plain integers (seed, stream, block counter, position in the block), so it saves to
/// JSON, resumes exactly on any machine, and lets independent streams be derived by name: parameter
/// initialisation uses one stream per parameter key, so it does not depend on creation order or sharding; the
/// data order uses one stream per epoch. Distributions built on these bits (normals for initialisation) live in
/// `CairnTensor`, next to the math library they need.
public struct PhiloxRandom: RandomNumberGenerator, Sendable {
    /// The 64-bit key.
    public let seed: UInt64
    /// The stream (the upper half of the counter).
    public let stream: UInt64
    /// The next 128-bit block to generate.
    public private(set) var blockCounter: UInt64
    /// How many 32-bit words of the current block were consumed (4 = none left).
    public private(set) var wordIndex: Int
    private var block: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

    /// Creates a generator at the start of `stream` under `seed`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        self.init(seed: seed, stream: stream, blockCounter: 0, wordIndex: 4)
    }

    /// Creates a generator at `stream`, the stream id derived from a label (such as a parameter key).
    public init(seed: UInt64, label: String) {
        self.init(seed: seed, stream: Self.streamID(label))
    }

    /// Restores a generator from its saved position.
    public init(seed: UInt64, stream: UInt64, blockCounter: UInt64, wordIndex: Int) {
        precondition((0...4).contains(wordIndex), "PhiloxRandom: word index \(wordIndex) outside 0...4")
        self.seed = seed
        self.stream = stream
        self.wordIndex = wordIndex
        self.blockCounter = blockCounter
        if wordIndex < 4 { self.block = Self.block(seed: seed, stream: stream, counter: blockCounter &- 1) }
    }

    /// A 64-bit stream id for `label` (FNV-1a over its UTF-8 bytes).
    public static func streamID(_ label: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in label.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        if wordIndex == 4 {
            block = Self.block(seed: seed, stream: stream, counter: blockCounter)
            blockCounter &+= 1
            wordIndex = 0
        }
        defer { wordIndex += 1 }
        switch wordIndex {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        UInt64(next32()) << 32 | UInt64(next32())
    }

    /// A uniform float in `[0, 1)` with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next32() >> 8) * (1.0 / 16_777_216.0)
    }

    // MARK: - Philox4x32-10

    private static func block(seed: UInt64, stream: UInt64, counter: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = (UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32),
                 UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
        var k = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        for round in 0..<10 {
            if round > 0 {
                k.0 &+= 0x9E37_79B9
                k.1 &+= 0xBB67_AE85
            }
            let product0 = UInt64(0xD251_1F53) &* UInt64(c.0)
            let product1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: product1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: product1),
                 UInt32(truncatingIfNeeded: product0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: product0))
        }
        return c
    }
}

extension PhiloxRandom: Hashable {
    /// Equal when the generators are at the same position of the same stream (the cached block follows).
    public static func == (lhs: PhiloxRandom, rhs: PhiloxRandom) -> Bool {
        (lhs.seed, lhs.stream, lhs.blockCounter, lhs.wordIndex) == (rhs.seed, rhs.stream, rhs.blockCounter, rhs.wordIndex)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(seed)
        hasher.combine(stream)
        hasher.combine(blockCounter)
        hasher.combine(wordIndex)
    }
}
