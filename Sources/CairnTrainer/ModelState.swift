public import CairnCore

/// The `model` namespace of the state graph: the piece of every parameter this rank holds, as the strategy
/// runtime places it.
///
/// Keys are canonical parameter keys relative to the namespace (`layers.0.mlp.up_proj.weight` for
/// `model.layers.0.mlp.up_proj.weight`). Saving views the live values; loading copies into them.
public final class ModelState: StatefulComponent {
    private let runtime: any StrategyRuntime

    /// Creates the component over `runtime`'s parameter pieces.
    public init(runtime: any StrategyRuntime) {
        self.runtime = runtime
    }

    public func stateDict() throws -> StateDict {
        var dict = StateDict()
        for piece in try runtime.parameterPieces() {
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
        let pieces = try runtime.parameterPieces()
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
