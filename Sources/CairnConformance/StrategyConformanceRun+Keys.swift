import CairnCore

/// The canonical-key law, judged on the final checkpoint of the uninterrupted run at every world size.
extension StrategyConformanceRun {
    /// Checks the keys: canonical, namespaced, equal across ranks and world sizes, `model` keys the model's
    /// parameter keys, `optimizer` keys `state.<parameter key>.<slot>`.
    func canonicalKeys() async -> [Failure] {
        let law = Law.canonicalKeys
        var failures: [Failure] = []
        var first: (worldSize: Int, keys: Set<StateKey>)?
        for worldSize in worldSizes {
            do {
                let state = try await uninterrupted(strategy, worldSize: worldSize).final
                let keys = Set(state.keys)
                failures += keyProblems(keys.sorted(), worldSize: worldSize)
                failures += rankKeyDifferences(state, worldSize: worldSize)
                failures += modelAndOptimizerKeys(keys, worldSize: worldSize)
                if let first {
                    failures += keySetDifferences(expected: first, actual: (worldSize, keys))
                } else {
                    first = (worldSize, keys)
                }
            } catch {
                failures.append(failure(law, worldSize: worldSize, expected: "the runs to complete",
                                        actual: "\(error)"))
            }
        }
        return failures
    }

    // MARK: - Private helpers

    private func keyProblems(_ keys: [StateKey], worldSize: Int) -> [Failure] {
        let namespaces = Set(StateNamespace.allCases.map(\.rawValue))
        return keys.compactMap { key in
            if !namespaces.contains(String(key.first)) {
                return failure(.canonicalKeys, worldSize: worldSize, key: key,
                               expected: "a key under one of the namespaces \(namespaces.sorted())",
                               actual: "namespace \"\(key.first)\"")
            }
            return CanonicalKey.problem(with: key).map {
                failure(.canonicalKeys, worldSize: worldSize, key: key, expected: "a canonical key", actual: $0,
                        hint: "put the rank's piece in the value's TensorLayout (.rows or .elements), not in the key")
            }
        }
    }

    /// Every rank saves values under the same keys (its own values, perhaps, but never its own names).
    private func rankKeyDifferences(_ state: StrategyConformanceSavedState, worldSize: Int) -> [Failure] {
        guard let rank0 = state.rankScalars.first.map({ Set($0.keys) }) else { return [] }
        return state.rankScalars.enumerated().dropFirst().compactMap { rank, scalars in
            let keys = Set(scalars.keys)
            guard let key = keys.symmetricDifference(rank0).min() else { return nil }
            return failure(.canonicalKeys, worldSize: worldSize, rank: rank, key: key,
                           expected: "the same scalar keys as rank 0",
                           actual: keys.contains(key) ? "rank \(rank) alone has this key"
                               : "rank \(rank) lacks this key")
        }
    }

    private func modelAndOptimizerKeys(_ keys: Set<StateKey>, worldSize: Int) -> [Failure] {
        let parameters: [(key: StateKey, shape: [Int], isTrainable: Bool)]
        do {
            parameters = try fixture.parameterKeys()
        } catch {
            return [failure(.canonicalKeys, worldSize: worldSize, expected: "LoRA to attach to the kit's model",
                            actual: "\(error)")]
        }
        // Frozen parameters come from the model folder, not the checkpoint (LoRA saves only its adapters).
        let saved = parameters.filter { $0.isTrainable || options.lora == nil }
        let expectedModel = Set(saved.map { Self.modelStateKey($0.key) })
        let savedModel = keys.filter { $0.hasPrefix(StateNamespace.model.key) }
        var failures: [Failure] = []
        for key in expectedModel.subtracting(savedModel).sorted() {
            failures.append(failure(.canonicalKeys, worldSize: worldSize, key: key,
                                    expected: "every parameter under its own key in the model namespace",
                                    actual: "no such key"))
        }
        for key in savedModel.subtracting(expectedModel).sorted() {
            failures.append(failure(.canonicalKeys, worldSize: worldSize, key: key,
                                    expected: "model keys that are the model's parameter keys", actual: "an extra key",
                                    hint: "strategy-specific state belongs under the strategy namespace"))
        }
        let trainable = Set(parameters.filter(\.isTrainable).map(\.key))
        let state = StateNamespace.optimizer.key.appending("state")
        var covered: Set<StateKey> = []
        for key in keys.filter({ $0.hasPrefix(StateNamespace.optimizer.key) }).sorted() {
            let components = key.removingPrefix(state)?.components ?? []
            let parameter = StateKey(components.dropLast().joined(separator: "."))
            guard components.count >= 2, trainable.contains(parameter) else {
                failures.append(failure(.canonicalKeys, worldSize: worldSize, key: key,
                                        expected: "optimizer.state.<trainable parameter key>.<slot>",
                                        actual: "a key that names no trainable parameter"))
                continue
            }
            covered.insert(parameter)
        }
        for parameter in trainable.subtracting(covered).sorted() {
            failures.append(failure(.canonicalKeys, worldSize: worldSize, key: parameter,
                                    expected: "optimizer state for every trainable parameter", actual: "none saved"))
        }
        return failures
    }

    private func keySetDifferences(
        expected: (worldSize: Int, keys: Set<StateKey>), actual: (worldSize: Int, keys: Set<StateKey>)
    ) -> [Failure] {
        actual.keys.symmetricDifference(expected.keys).sorted().prefix(8).map { key in
            failure(.canonicalKeys, worldSize: actual.worldSize, key: key,
                    expected: "the same keys as at world size \(expected.worldSize)",
                    actual: actual.keys.contains(key) ? "only world size \(actual.worldSize) saves it"
                        : "only world size \(expected.worldSize) saves it",
                    hint: "a key that depends on the world size cannot resume at another one")
        }
    }

    /// The absolute key under which the `model` namespace saves parameter `key` (`lm_head.weight` →
    /// `model.lm_head.weight`; `model.norm.weight` stays).
    static func modelStateKey(_ key: StateKey) -> StateKey {
        key.hasPrefix(StateNamespace.model.key) ? key : StateNamespace.model.key.appending(key)
    }
}
