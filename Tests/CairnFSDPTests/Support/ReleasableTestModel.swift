import CairnCore

/// A ``ParameterTree`` whose parameters can be released and materialized like `CairnNN.Parameter`, and that
/// records what a strategy did to them, for unit tests of the gather/release cycle without a real model.
///
/// Shapes mirror `StrategyConformance.MinimalModel` (uneven row counts, a `[1]`, a 3-D tensor, one frozen
/// parameter); values are multiples of 1/8 drawn from `seed`, so models with the same seed are identical.
final class ReleasableTestModel: ParameterTree {
    final class TestParameter: ReleasableParameter {
        let key: StateKey
        let shape: [Int]
        let isTrainable: Bool
        private var storage: UnsafeMutableBufferPointer<Float>?
        private var gradientStorage: UnsafeMutableBufferPointer<Float>?
        private(set) var materializeCount = 0
        private(set) var releaseCount = 0

        init(key: StateKey, shape: [Int], isTrainable: Bool, generator: inout PhiloxRandom) {
            self.key = key
            self.shape = shape
            self.isTrainable = isTrainable
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: shape.reduce(1, *))
            for index in buffer.indices { buffer[index] = Float(Int(generator.next32() % 33) - 16) * 0.125 }
            storage = buffer
        }

        deinit {
            storage?.deallocate()
            gradientStorage?.deallocate()
        }

        var values: UnsafeMutableBufferPointer<Float> {
            guard let storage else { preconditionFailure("TestParameter \(key): values read while released") }
            return storage
        }

        var gradient: UnsafeMutableBufferPointer<Float> {
            precondition(isTrainable, "TestParameter \(key): frozen parameters have no gradient")
            if let gradientStorage { return gradientStorage }
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: elementCount)
            buffer.initialize(repeating: 0)
            gradientStorage = buffer
            return buffer
        }

        /// Whether a gradient is allocated.
        var hasGradient: Bool { gradientStorage != nil }

        var isMaterialized: Bool { storage != nil }

        func materialize() {
            guard storage == nil else { return }
            materializeCount += 1
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: elementCount)
            buffer.initialize(repeating: .nan)  // "unspecified": a strategy that forgets to fill it shows
            storage = buffer
        }

        func release() {
            guard let storage else { return }
            releaseCount += 1
            storage.deallocate()
            self.storage = nil
        }

        func releaseGradient() {
            gradientStorage?.deallocate()
            gradientStorage = nil
        }
    }

    static let layout: [(key: StateKey, shape: [Int], isTrainable: Bool)] = [
        ("model.blocks.0.mlp.weight", [4, 4], true),
        ("model.blocks.0.scale", [1], true),
        ("model.blocks.1.frozen.weight", [6], false),
        ("model.blocks.1.proj.weight", [3, 2, 2], true),
        ("model.embed.weight", [5, 3], true),
        ("model.head.weight", [7, 3], true),
        ("model.norm.weight", [7], true),
    ]

    let testParameters: [TestParameter]

    init(seed: UInt64 = 0) {
        var generator = PhiloxRandom(seed: seed, label: "fsdp.releasable-test-model")
        testParameters = Self.layout.map {
            TestParameter(key: $0.key, shape: $0.shape, isTrainable: $0.isTrainable, generator: &generator)
        }
    }

    var parameters: [any ModelParameter] { testParameters }

    var units: [ParameterUnit] {
        [
            ParameterUnit(name: "root", parameterKeys: ["model.embed.weight", "model.norm.weight", "model.head.weight"]),
            ParameterUnit(name: "blocks.0", parameterKeys: ["model.blocks.0.mlp.weight", "model.blocks.0.scale"]),
            ParameterUnit(name: "blocks.1", parameterKeys: ["model.blocks.1.proj.weight", "model.blocks.1.frozen.weight"]),
        ]
    }

    func parameter(_ key: StateKey) -> TestParameter {
        guard let parameter = testParameters.first(where: { $0.key == key }) else {
            preconditionFailure("ReleasableTestModel has no parameter \(key)")
        }
        return parameter
    }

    /// The parameters of the unit named `name`.
    func parameters(ofUnit name: String) -> [TestParameter] {
        units.first { $0.name == name }.map { $0.parameterKeys.map(parameter) } ?? []
    }
}
