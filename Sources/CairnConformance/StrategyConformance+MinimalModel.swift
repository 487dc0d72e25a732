public import CairnCore

extension StrategyConformance {
    /// A small ``ParameterTree`` of plain float buffers with awkward shapes (a scalar-like `[1]`, a 3-D tensor, row
    /// counts that 2, 3 and 4 ranks split unevenly) and one frozen parameter, for driving a runtime by hand.
    ///
    /// ``Law/completeGradients`` and ``Law/consistentReplicas`` run on it; strategy tests use it for unit tests
    /// (bucket sizes, replica agreement) without building a real model. Initial values are multiples of 1/8 drawn
    /// from `seed`, so every rank that makes one with the same seed holds the same model.
    ///
    /// Units, in forward order: `root` (`embed`, `norm`, `head`), `blocks.0`, `blocks.1`.
    public final class MinimalModel: ParameterTree {
        /// One parameter: values and gradient in buffers that live as long as it does.
        public final class Parameter: ModelParameter {
            public let key: StateKey
            public let shape: [Int]
            public let isTrainable: Bool
            public let values: UnsafeMutableBufferPointer<Float>
            private let gradientStorage: UnsafeMutableBufferPointer<Float>
            /// How often ``gradient`` was read although the parameter is frozen (a strategy bug the laws report).
            public private(set) var frozenGradientReads = 0

            init(key: StateKey, shape: [Int], isTrainable: Bool, generator: inout PhiloxRandom) {
                self.key = key
                self.shape = shape
                self.isTrainable = isTrainable
                let count = shape.reduce(1, *)
                values = .allocate(capacity: count)
                for index in 0..<count { values[index] = Float(Int(generator.next32() % 33) - 16) * 0.125 }
                gradientStorage = .allocate(capacity: count)
                gradientStorage.initialize(repeating: 0)
            }

            deinit {
                values.deallocate()
                gradientStorage.deallocate()
            }

            public var gradient: UnsafeMutableBufferPointer<Float> {
                if !isTrainable { frozenGradientReads += 1 }
                return gradientStorage
            }

            /// The gradient buffer, without counting a read of a frozen parameter's (for the kit's own checks).
            var gradientForInspection: UnsafeMutableBufferPointer<Float> { gradientStorage }
        }

        /// The parameters' keys, shapes and trainability, sorted by key.
        public static let layout: [(key: StateKey, shape: [Int], isTrainable: Bool)] = [
            ("model.blocks.0.mlp.weight", [4, 4], true),
            ("model.blocks.0.scale", [1], true),
            ("model.blocks.1.frozen.weight", [6], false),
            ("model.blocks.1.proj.weight", [3, 2, 2], true),
            ("model.embed.weight", [5, 3], true),
            ("model.head.weight", [7, 3], true),
            ("model.norm.weight", [7], true),
        ]

        /// The parameters, sorted by key.
        public let minimalParameters: [Parameter]

        /// Creates the model with values drawn from `seed`.
        public init(seed: UInt64 = 0) {
            var generator = PhiloxRandom(seed: seed, label: "conformance.minimal-model")
            minimalParameters = Self.layout.map {
                Parameter(key: $0.key, shape: $0.shape, isTrainable: $0.isTrainable, generator: &generator)
            }
        }

        public var parameters: [any ModelParameter] { minimalParameters }

        public var units: [ParameterUnit] {
            [
                ParameterUnit(
                    name: "root", parameterKeys: ["model.embed.weight", "model.norm.weight", "model.head.weight"]),
                ParameterUnit(name: "blocks.0", parameterKeys: ["model.blocks.0.mlp.weight", "model.blocks.0.scale"]),
                ParameterUnit(
                    name: "blocks.1", parameterKeys: ["model.blocks.1.proj.weight", "model.blocks.1.frozen.weight"]),
            ]
        }

        /// The parameter with `key`.
        public func parameter(_ key: StateKey) -> Parameter? {
            minimalParameters.first { $0.key == key }
        }
    }
}
