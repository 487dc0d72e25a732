import CairnCore

/// Copies of state dicts and their bit-for-bit comparison, for the conformance laws.
enum StateSnapshot {
    /// The component's state with every tensor copied out of live storage.
    static func of(_ component: some StatefulComponent) throws -> StateDict {
        var copy = StateDict()
        for (key, value) in try component.stateDict().entries {
            copy[key] = value.tensor.map { .tensor($0.snapshot()) } ?? value
        }
        return copy
    }

    /// The first key (in canonical order) whose value differs, with both values described.
    static func firstDifference(_ expected: StateDict, _ actual: StateDict) -> (key: StateKey, expected: String, actual: String)? {
        for key in Set(expected.keys).union(actual.keys).sorted() {
            let lhs = expected[key]
            let rhs = actual[key]
            if !sameBits(lhs, rhs) { return (key, describe(lhs), describe(rhs)) }
        }
        return nil
    }

    /// Equality that tells `-0.0` from `0.0` and compares NaNs by payload.
    static func sameBits(_ lhs: StateValue?, _ rhs: StateValue?) -> Bool {
        switch (lhs, rhs) {
        case (.double(let a)?, .double(let b)?): a.bitPattern == b.bitPattern
        default: lhs == rhs
        }
    }

    static func describe(_ value: StateValue?) -> String {
        guard let value else { return "no value" }
        switch value {
        case .tensor(let tensor):
            let prefix = tensor.buffer.withExtendedLifetimeBytes { Array($0.prefix(16)) }
            return "tensor \(tensor.layout) starting with bytes \(prefix)"
        case .int(let number): return "int \(number)"
        case .ints(let numbers): return "ints \(numbers.prefix(8))\(numbers.count > 8 ? "…" : "")"
        case .double(let number): return "double \(number) (bits 0x\(String(number.bitPattern, radix: 16)))"
        case .string(let text): return "string \"\(text)\""
        case .bool(let flag): return "bool \(flag)"
        }
    }
}

extension HostBuffer {
    /// Calls `body` with the bytes while the buffer is alive.
    func withExtendedLifetimeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result { body(bytes) }
}

/// The rule for canonical keys (STYLE.md §5).
enum CanonicalKey {
    /// Components that name a rank, shard or world size, or a wrapper prefix (`module.` of DDP, `_orig_mod.` of
    /// `torch.compile`): keys carry none of them, layouts do.
    static let forbiddenPrefixes = ["rank", "shard", "world", "local_rank"]
    static let wrapperComponents: Set<String> = ["module", "_orig_mod", "_fsdp_wrapped_module", "_checkpoint_wrapped_module"]

    /// What makes `key` non-canonical, or `nil`.
    static func problem(with key: StateKey) -> String? {
        if key.rawValue.isEmpty { return "an empty key" }
        for component in key.components {
            if component.isEmpty { return "an empty component" }
            if !component.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) {
                return "component \"\(component)\" is not letters, digits and underscores"
            }
            let lowered = component.lowercased()
            if let prefix = forbiddenPrefixes.first(where: { lowered.hasPrefix($0) }) {
                return "component \"\(component)\" names a \(prefix) (layouts say which piece a rank holds, keys do not)"
            }
            if wrapperComponents.contains(String(component)) { return "component \"\(component)\" is a wrapper prefix" }
        }
        return nil
    }
}
