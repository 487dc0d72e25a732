import CairnCore

/// The bytes of parameters and gradients one `fsdp2` rank keeps resident, and their peak: what
/// ``FSDPRuntime/memoryUsage`` reports.
///
/// Every allocation the runtime makes or causes is entered when it happens and removed when it is freed: padded
/// shards, shard gradients, gathered parameters, full gradients from the backward use of their unit until they are
/// reduced, and the staging buffers of uneven collectives while they live.
final class MemoryLedger {
    private(set) var parameterBytes = 0
    private(set) var gradientBytes = 0
    private(set) var peakBytes = 0

    /// Adds `delta` bytes (negative to free) of parameter values.
    func changeParameters(by delta: Int) {
        parameterBytes += delta
        precondition(parameterBytes >= 0, "MemoryLedger: parameter bytes fell below zero (\(parameterBytes))")
        peakBytes = max(peakBytes, parameterBytes + gradientBytes)
    }

    /// Adds `delta` bytes (negative to free) of gradients.
    func changeGradients(by delta: Int) {
        gradientBytes += delta
        precondition(gradientBytes >= 0, "MemoryLedger: gradient bytes fell below zero (\(gradientBytes))")
        peakBytes = max(peakBytes, parameterBytes + gradientBytes)
    }

    /// Starts a new peak at what is resident now.
    func resetPeak() {
        peakBytes = parameterBytes + gradientBytes
    }

    /// The current record.
    var usage: MemoryUsage {
        MemoryUsage(parameterBytes: parameterBytes, gradientBytes: gradientBytes, peakBytes: peakBytes)
    }
}
