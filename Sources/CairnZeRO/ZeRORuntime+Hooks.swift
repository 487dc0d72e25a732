public import CairnCore

/// The hooks of stages 2–3: gather a unit before use and release it after (stage 3), reduce-scatter its gradients
/// as soon as they are complete and release them (stages 2–3).
///
/// Every rank makes the same calls in the same order (``ParameterHooks``' law), and every count below comes from the
/// shared partition math, so the collectives match across ranks.
extension ZeRORuntime: ParameterHooks {
    /// Stage 3: materializes the unit's parameters and all-gathers their values from the ranks' partitions (in
    /// rounds of at most `allgather_bucket_size` elements). In the backward phase (stages 2–3) the unit's whole
    /// gradients are charged from here on, since the model is about to write them.
    /// - Throws: ``CommunicatorError`` from the all-gather.
    public func willUse(_ unit: ParameterUnit, phase: ComputePhase, step: StepContext) async throws {
        let plan = plan(of: unit)
        if phase == .backward { chargeGradients(plan) }
        guard stage == .parameters else { return }
        for entry in plan.trainableEntries { materialize(trainable[entry]) }
        for entry in plan.frozenEntries { materialize(frozen[entry]) }
        let bucket = configuration.allgatherBucketSize
        try await plan.trainableExchange.allGather(
            communicator: communicator, bucket: bucket, writesOwn: true, ledger: ledger,
            readOwn: { flat, destination in readOwn(trainableValues, trainablePartition, flat, into: destination) },
            write: { flat, source in Self.write(trainable, trainablePartition, flat, \.values, from: source) })
        if let frozenPartition, let exchange = plan.frozenExchange {
            try await exchange.allGather(
                communicator: communicator, bucket: bucket, writesOwn: true, ledger: ledger,
                readOwn: { flat, destination in readOwn(frozenValues, frozenPartition, flat, into: destination) },
                write: { flat, source in Self.write(frozen, frozenPartition, flat, \.values, from: source) })
        }
    }

    /// Stage 3: releases the unit's whole values (a parameter that is not a ``ReleasableParameter`` keeps them).
    public func didUse(_ unit: ParameterUnit, phase: ComputePhase, step: StepContext) async throws {
        guard stage == .parameters else { return }
        let plan = plan(of: unit)
        for entry in plan.trainableEntries { release(trainable[entry]) }
        for entry in plan.frozenEntries { release(frozen[entry]) }
    }

    /// Stages 2–3: reduce-scatters the unit's gradients of this micro-step into the ranks' gradient partitions
    /// (adding to earlier micro-steps'), in rounds of at most `reduce_bucket_size` elements, then releases them
    /// (or zeroes them, for a parameter that cannot be released).
    /// - Throws: ``CommunicatorError`` from the reduce-scatter.
    public func gradientsReady(_ unit: ParameterUnit, step: StepContext) async throws {
        guard stage >= .gradients else { return }
        let plan = plan(of: unit)
        chargeGradients(plan)
        let owned = trainablePartition.flatRange(ofRank: communicator.rank)
        let partition = gradientPartition
        try await plan.trainableExchange.reduceScatter(
            communicator: communicator, bucket: configuration.reduceBucketSize, ledger: ledger,
            read: { flat, destination in readGradients(flat, into: destination) },
            accumulateOwn: { flat, source in
                let base = flat.lowerBound - owned.lowerBound
                for index in source.indices { partition[base + index] += source[index] }
            })
        for entry in plan.trainableEntries { releaseGradient(entry) }
    }

    // MARK: - Private helpers

    private func plan(of unit: ParameterUnit) -> UnitPlan {
        guard let plan = unitPlans[unit] else {
            preconditionFailure("ZeRORuntime: unit \(unit.name) is not one of the model's units (ParameterTree.units)")
        }
        return plan
    }

    /// Copies the flat run `flat` out of this rank's partition storage `storage` of `partition`.
    private func readOwn(
        _ storage: UnsafeMutableBufferPointer<Float>, _ partition: FlatPartition, _ flat: Range<Int>,
        into destination: UnsafeMutableBufferPointer<Float>
    ) {
        let start = flat.lowerBound - partition.flatRange(ofRank: communicator.rank).lowerBound
        _ = destination.update(fromContentsOf: view(storage, from: start, count: flat.count))
    }

    private func materialize(_ parameter: any ModelParameter) {
        guard let parameter = parameter as? any ReleasableParameter, !parameter.isMaterialized else { return }
        parameter.materialize()
        ledger.change(parameterElements: parameter.elementCount)
    }

    private func release(_ parameter: any ModelParameter) {
        guard let parameter = parameter as? any ReleasableParameter, parameter.isMaterialized else { return }
        parameter.release()
        ledger.change(parameterElements: -parameter.elementCount)
    }

    /// Charges the unit's whole gradients that are not charged yet.
    private func chargeGradients(_ plan: UnitPlan) {
        guard stage >= .gradients else { return }
        for entry in plan.trainableEntries where !chargedGradients[entry] {
            chargedGradients[entry] = true
            ledger.change(gradientElements: trainable[entry].elementCount)
        }
    }

    /// Frees (or zeroes) trainable parameter `entry`'s whole gradient once reduced.
    private func releaseGradient(_ entry: Int) {
        guard let parameter = trainable[entry] as? any ReleasableParameter else {
            trainable[entry].gradient.update(repeating: 0)
            return
        }
        parameter.releaseGradient()
        if chargedGradients[entry] {
            chargedGradients[entry] = false
            ledger.change(gradientElements: -parameter.elementCount)
        }
    }
}
