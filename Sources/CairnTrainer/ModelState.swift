public import CairnCore

/// The `model` namespace of the state graph: the piece of every parameter this rank holds, as the strategy
/// runtime places it.
///
/// Keys are canonical parameter keys relative to the namespace (`layers.0.mlp.up_proj.weight` for
/// `model.layers.0.mlp.up_proj.weight`). Saving views the live values; loading copies into them.
///
/// Frozen parameters (LoRA's base) are not part of the state: they come from the `model` folder, which the
/// checkpoint's model fingerprint identifies, so an adapter checkpoint holds only the adapters.
public final class ModelState: StatefulComponent {
    private let runtime: any StrategyRuntime
    private let trainableKeys: Set<StateKey>

    /// Creates the component over `runtime`'s pieces of `model`'s trainable parameters.
    public init(runtime: any StrategyRuntime, model: any ParameterTree) {
        self.runtime = runtime
        self.trainableKeys = Set(model.parameters.filter(\.isTrainable).map(\.key))
    }

    /// The pieces of the trainable parameters.
    private func pieces() throws -> [ParameterPiece] {
        try runtime.parameterPieces().filter { trainableKeys.contains($0.key) }
    }

    public func stateDict() throws -> StateDict {
        var dict = StateDict()
        for piece in try pieces() {
            // A view of the live values: a synchronous save finishes before the next step writes them, and an
            // asynchronous save snapshots them first (HostBuffer's sharing rule).
            let buffer = piece.values.baseAddress.map {
                HostBuffer(view: UnsafeMutableRawPointer($0), byteCount: piece.values.count * MemoryLayout<Float>.stride,
                           owner: nil)
            } ?? HostBuffer(uninitializedByteCount: 0)
            dict[Self.relativeKey(piece.key)] = .tensor(StateTensor(layout: piece.layout, buffer: buffer))
        }
        return dict
    }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        let pieces = try pieces()
        try dict.checkKeys(pieces.map { Self.relativeKey($0.key) }, options: options)
        var sources: [(UnsafeMutableBufferPointer<Float>, StateTensor)] = []
        for piece in pieces {
            let key = Self.relativeKey(piece.key)
            guard dict[key] != nil else { continue }
            let tensor = try dict.tensor(key)
            guard tensor.layout == piece.layout else {
                throw StateDictError(.wrongLayout, key: key, "expected \(piece.layout), found \(tensor.layout)")
            }
            sources.append((piece.values, tensor))
        }
        for (destination, tensor) in sources { _ = destination.update(fromContentsOf: tensor.floats) }
    }

    /// `model.layers.0.x` → `layers.0.x`.
    static func relativeKey(_ key: StateKey) -> StateKey {
        key.removingPrefix(StateNamespace.model.key) ?? key
    }
}
