/// The state graph of one rank: every ``StatefulComponent`` under its namespace.
///
/// Save calls ``stateDict()`` for one flat, sorted dict; resume calls ``load(_:options:)`` with a dict of the
/// same shape. Each namespace holds one component, or several under distinct sub-keys
/// (`strategy` holds the runtime; a user may add `strategy.ema`).
public final class StateRegistry {
    private var components: [(key: StateKey, component: any StatefulComponent)] = []

    /// Creates an empty registry.
    public init() {}

    /// Registers `component` under `namespace`, optionally below a sub-key.
    /// - Throws: ``RegistryError`` `.duplicateNamespace` when the key is taken or nests in a taken key.
    public func register(
        _ component: any StatefulComponent, under namespace: StateNamespace, subkey: StateKey? = nil
    ) throws(RegistryError) {
        let key = subkey.map { namespace.key.appending($0) } ?? namespace.key
        if let clash = components.first(where: { $0.key.hasPrefix(key) || key.hasPrefix($0.key) }) {
            throw RegistryError(.duplicateNamespace, kind: key.rawValue, "overlaps the registered '\(clash.key)'")
        }
        components.append((key, component))
        components.sort { $0.key < $1.key }
    }

    /// The registered keys, sorted.
    public var registeredKeys: [StateKey] { components.map(\.key) }

    /// The component registered at exactly `key`.
    public func component(at key: StateKey) -> (any StatefulComponent)? {
        components.first { $0.key == key }?.component
    }

    /// Every component's state in one flat dict of absolute keys.
    /// - Throws: ``StateDictError`` with the absolute key when a component fails.
    public func stateDict() throws -> StateDict {
        var result = StateDict()
        for (key, component) in components {
            let dict: StateDict
            do { dict = try component.stateDict() } catch {
                throw StateDictError(.invalidValue, key: key, "component failed to describe its state", cause: error)
            }
            try result.merge(dict, under: key)
        }
        return result
    }

    /// Restores every component from `dict`, whose keys are absolute.
    ///
    /// Under ``LoadOptions/strict`` a key outside every registered component is an error too.
    /// - Throws: ``StateDictError`` naming the absolute key of the first mismatch.
    public func load(_ dict: StateDict, options: LoadOptions = .strict) throws {
        if !options.contains(.allowUnexpectedKeys),
            let stray = dict.keys.first(where: { key in !components.contains { key.hasPrefix($0.key) } })
        {
            throw StateDictError(.unexpectedKey, key: stray, "no registered component owns this key")
        }
        for (key, component) in components {
            do {
                try component.loadStateDict(dict.subdict(under: key), options: options)
            } catch var error as StateDictError {
                error.key = error.key.map { key.appending($0) } ?? key
                throw error
            }
        }
    }
}
