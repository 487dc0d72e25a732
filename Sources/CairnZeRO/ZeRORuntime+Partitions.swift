import CairnCore

/// Building the partitions, and moving elements between whole parameters and flat partitions.
extension ZeRORuntime {
    // MARK: - Setup

    /// Plans every unit's collectives.
    static func plans(
        _ units: [ParameterUnit], trainable: FlatPartition, frozen: FlatPartition?
    ) -> [ParameterUnit: UnitPlan] {
        let trainableIndex = Dictionary(uniqueKeysWithValues: trainable.entries.enumerated().map { ($1.key, $0) })
        let frozenIndex = Dictionary(uniqueKeysWithValues: (frozen?.entries ?? []).enumerated().map { ($1.key, $0) })
        var plans: [ParameterUnit: UnitPlan] = [:]
        for unit in units {
            let trainableEntries = unit.parameterKeys.compactMap { trainableIndex[$0] }.sorted()
            let frozenEntries = unit.parameterKeys.compactMap { frozenIndex[$0] }.sorted()
            plans[unit] = UnitPlan(
                trainableEntries: trainableEntries, frozenEntries: frozenEntries,
                trainableExchange: UnitExchange(partition: trainable, entries: trainableEntries),
                frozenExchange: frozen.map { UnitExchange(partition: $0, entries: frozenEntries) })
        }
        return plans
    }

    /// Stage 3: copies this rank's partitions out of the whole values, then releases every releasable parameter's
    /// values and gradient.
    func partitionValues() {
        for piece in trainablePieces where !piece.localRange.isEmpty {
            _ = Self.slice(trainableValues, from: piece.partitionOffset, count: piece.localRange.count)
                .update(fromContentsOf: Self.slice(trainable[piece.entry].values, piece.localRange))
        }
        for piece in frozenPieces where !piece.localRange.isEmpty {
            _ = Self.slice(frozenValues, from: piece.partitionOffset, count: piece.localRange.count)
                .update(fromContentsOf: Self.slice(frozen[piece.entry].values, piece.localRange))
        }
        for case let parameter as any ReleasableParameter in parameters {
            parameter.release()
            if parameter.isTrainable { parameter.releaseGradient() }
        }
    }

    /// Charges what the runtime holds once made: whole values (stages 1–2) or partitions plus whatever cannot be
    /// released (stage 3); whole gradients (stage 1) or the gradient partition plus unreleasable gradients.
    func chargeInitialMemory() {
        let unreleasable = parameters.filter { !($0 is any ReleasableParameter) }
        let values = stage == .parameters
            ? trainableValues.count + frozenValues.count + unreleasable.reduce(0) { $0 + $1.elementCount }
            : parameters.reduce(0) { $0 + $1.elementCount }
        let gradients = stage == .optimizerState
            ? trainable.reduce(0) { $0 + $1.elementCount }
            : gradientPartition.count + unreleasable.filter(\.isTrainable).reduce(0) { $0 + $1.elementCount }
        if stage >= .gradients {
            for case let parameter as any ReleasableParameter in trainable { parameter.releaseGradient() }
        }
        ledger.change(parameterElements: values, gradientElements: gradients)
    }

    // MARK: - Stages 1–2

    /// Stage 1: sums the trainable gradients across ranks, `reduce_bucket_size` flat elements at a time.
    func allReduceGradients() async throws {
        let total = trainablePartition.elementCount
        guard total > 0 else { return }
        let bucket = min(configuration.reduceBucketSize, total)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: bucket)
        ledger.change(gradientElements: bucket)
        defer {
            buffer.deallocate()
            ledger.change(gradientElements: -bucket)
        }
        for start in stride(from: 0, to: total, by: bucket) {
            let flat = start..<min(start + bucket, total)
            let chunk = UnsafeMutableBufferPointer(rebasing: buffer[0..<flat.count])
            readGradients(flat, into: chunk)
            try await communicator.allReduce(chunk, .sum)
            writeGradients(flat, from: UnsafeBufferPointer(chunk))
        }
    }

    /// Stages 1–2: every rank sends its updated partition and writes the others' into its replica.
    func gatherUpdatedPartitions() async throws {
        guard communicator.worldSize > 1 else { return }
        try await UnitExchange.whole(trainablePartition).allGather(
            communicator: communicator, bucket: configuration.allgatherBucketSize, writesOwn: false, ledger: ledger,
            readOwn: { flat, destination in Self.read(trainable, trainablePartition, flat, \.values, into: destination) },
            write: { flat, source in Self.write(trainable, trainablePartition, flat, \.values, from: source) })
    }

    // MARK: - Element movement

    /// Copies the flat run `flat` of the trainable gradients into `destination`.
    func readGradients(_ flat: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>) {
        Self.read(trainable, trainablePartition, flat, \.gradient, into: destination)
    }

    /// Copies `source` over the flat run `flat` of the trainable gradients.
    func writeGradients(_ flat: Range<Int>, from source: UnsafeBufferPointer<Float>) {
        Self.write(trainable, trainablePartition, flat, \.gradient, from: source)
    }

    /// Copies the flat run `flat` of `parameters`' values or gradients (`buffer`) into `destination`.
    static func read(
        _ parameters: [any ModelParameter], _ partition: FlatPartition, _ flat: Range<Int>,
        _ buffer: KeyPath<any ModelParameter, UnsafeMutableBufferPointer<Float>>,
        into destination: UnsafeMutableBufferPointer<Float>
    ) {
        var offset = 0
        for (entry, local) in partition.segments(of: flat) {
            _ = slice(destination, from: offset, count: local.count)
                .update(fromContentsOf: slice(parameters[entry][keyPath: buffer], local))
            offset += local.count
        }
    }

    /// Copies `source` over the flat run `flat` of `parameters`' values or gradients (`buffer`).
    static func write(
        _ parameters: [any ModelParameter], _ partition: FlatPartition, _ flat: Range<Int>,
        _ buffer: KeyPath<any ModelParameter, UnsafeMutableBufferPointer<Float>>,
        from source: UnsafeBufferPointer<Float>
    ) {
        var offset = 0
        for (entry, local) in partition.segments(of: flat) {
            _ = slice(parameters[entry][keyPath: buffer], local)
                .update(fromContentsOf: UnsafeBufferPointer(rebasing: source[offset..<offset + local.count]))
            offset += local.count
        }
    }

    /// Elements `range` of `buffer`; for an empty range or a missing buffer, an empty view at a real address.
    ///
    /// Never a `nil`-based buffer: `UnsafeMutableBufferPointer.update(fromContentsOf:)` traps on one even when
    /// empty, and the trainer copies checkpoint pieces into ours that way.
    func view(_ buffer: UnsafeMutableBufferPointer<Float>?, _ range: Range<Int>) -> UnsafeMutableBufferPointer<Float> {
        guard let buffer, !range.isEmpty else { return UnsafeMutableBufferPointer(start: emptyAnchor, count: 0) }
        return UnsafeMutableBufferPointer(rebasing: buffer[range])
    }

    /// `count` elements of `buffer` from `offset`, as ``view(_:_:)``.
    func view(_ buffer: UnsafeMutableBufferPointer<Float>, from offset: Int, count: Int) -> UnsafeMutableBufferPointer<Float> {
        view(buffer, offset..<offset + count)
    }

    /// Elements `range` (not empty) of `buffer`.
    static func slice(_ buffer: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: buffer[range])
    }

    /// `count` elements (not zero) of `buffer` from `offset`.
    static func slice(
        _ buffer: UnsafeMutableBufferPointer<Float>, from offset: Int, count: Int
    ) -> UnsafeMutableBufferPointer<Float> {
        slice(buffer, offset..<offset + count)
    }
}
