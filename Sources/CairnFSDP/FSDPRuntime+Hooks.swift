public import CairnCore

/// The unit cycle: gather before use, release after, reduce-scatter gradients when a unit's backward is complete.
extension FSDPRuntime: ParameterHooks {
    /// Gathers `unit` unless it is still resident (a pending release is then cancelled); in backward its full
    /// gradients are about to be written.
    /// > Important: gathers are collectives: every rank makes the same hook calls in the same order.
    public func willUse(_ unit: ParameterUnit, phase: ComputePhase, step: StepContext) async throws {
        let index = index(of: unit)
        if units[index].isGathered {
            units[index].isReleasePending = false
        } else {
            releasePendingUnits()
            try await gather(unit: index)
        }
        if phase == .backward {
            units[index].awaitsGradients = true
            for parameter in units[index].parameters {
                parameter.expectFullGradient(ledger: ledger)
            }
        }
    }

    /// After forward, marks `unit` for release at the next gather when `reshard_after_forward` is set; after
    /// backward, releases it.
    public func didUse(_ unit: ParameterUnit, phase: ComputePhase, step: StepContext) async throws {
        let index = index(of: unit)
        switch phase {
        case .forward:
            if configuration.reshardAfterForward && units[index].isGathered {
                units[index].isReleasePending = true
            }
        case .backward:
            release(unit: index)
        }
    }

    /// Reduce-scatters every trainable gradient of `unit` into this rank's shard gradients, in key order, and
    /// frees the full gradients.
    /// > Important: reduce-scatters are collectives: every rank makes the same hook calls in the same order.
    public func gradientsReady(_ unit: ParameterUnit, step: StepContext) async throws {
        let index = index(of: unit)
        for parameter in units[index].parameters where parameter.isTrainable {
            try await parameter.reduceGradient(using: communicator, ledger: ledger)
        }
        units[index].awaitsGradients = false
    }
}
