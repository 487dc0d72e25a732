import CairnCore

/// Per-parameter state of an element-wise optimizer: named float slots shaped like the piece, and a step count.
///
/// Shared by ``AdamW`` (`exp_avg`, `exp_avg_sq`) and ``SGD`` (`momentum_buffer`); owns the key scheme
/// `state.<parameter key>.<slot>` and `state.<parameter key>.step`, mirroring `torch.optim`'s per-parameter state.
struct OptimizerSlots {
    struct Entry {
        var layout: TensorLayout
        var slots: [HostBuffer]
        var step: Int64
    }

    let slotNames: [String]
    private(set) var entries: [StateKey: Entry] = [:]

    init(slotNames: [String]) {
        self.slotNames = slotNames
    }

    mutating func prepare(for pieces: [(key: StateKey, layout: TensorLayout)]) {
        entries = [:]
        for piece in pieces {
            let slots = slotNames.map { _ in HostBuffer(zeroedByteCount: piece.layout.localByteCount) }
            entries[piece.key] = Entry(layout: piece.layout, slots: slots, step: 0)
        }
    }

    func entry(for shard: ParameterShard) throws(StateDictError) -> Entry {
        guard let entry = entries[shard.key] else {
            throw StateDictError(.missingKey, key: shard.key, "optimizer has no state for this parameter; call prepare(for:) first")
        }
        guard entry.layout == shard.layout else {
            throw StateDictError(.wrongLayout, key: shard.key, "optimizer state is \(entry.layout), shard is \(shard.layout)")
        }
        return entry
    }

    mutating func advanceStep(_ key: StateKey) -> Int64 {
        entries[key]!.step += 1
        return entries[key]!.step
    }

    func stateDict() -> StateDict {
        var dict = StateDict()
        for (key, entry) in entries {
            let base = StateKey("state").appending(key)
            for (name, buffer) in zip(slotNames, entry.slots) {
                dict[base.appending(name)] = .tensor(StateTensor(layout: entry.layout, buffer: buffer))
            }
            dict[base.appending("step")] = .int(entry.step)
        }
        return dict
    }

    /// Loads into the prepared pieces; all-or-nothing.
    mutating func load(_ dict: StateDict, options: LoadOptions) throws(StateDictError) {
        var expected: [StateKey] = []
        for key in entries.keys {
            let base = StateKey("state").appending(key)
            expected += slotNames.map { base.appending($0) } + [base.appending("step")]
        }
        try dict.checkKeys(expected, options: options)
        var loaded = entries
        for (key, entry) in entries {
            let base = StateKey("state").appending(key)
            for (index, name) in slotNames.enumerated() {
                guard let value = dict[base.appending(name)] else { continue }
                guard let tensor = value.tensor else {
                    throw StateDictError(.wrongType, key: base.appending(name), "expected a tensor, found \(value.kindName)")
                }
                guard tensor.layout == entry.layout else {
                    throw StateDictError(.wrongLayout, key: base.appending(name), "expected \(entry.layout), found \(tensor.layout)")
                }
                loaded[key]!.slots[index] = HostBuffer(copying: tensor.buffer.bytes)
            }
            if dict[base.appending("step")] != nil {
                let step = try dict.int(base.appending("step"))
                guard step >= 0 else { throw StateDictError(.invalidValue, key: base.appending("step"), "negative step \(step)") }
                loaded[key]!.step = step
            }
        }
        entries = loaded
    }
}
