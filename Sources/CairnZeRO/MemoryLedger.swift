import CairnCore

/// The running count of one rank's resident parameter and gradient bytes, and their peak, behind
/// ``ZeRORuntime``'s ``MemoryAccounting``.
///
/// The runtime charges what it allocates and frees itself (partition buffers, collective round buffers) and what
/// it makes the model allocate or free (a unit's values when gathered and released; a unit's whole gradients from
/// the start of its backward pass until they are reduced and released). A parameter that cannot be released
/// (not a ``ReleasableParameter``) is charged whole for the runtime's whole life.
final class MemoryLedger {
    private(set) var parameterBytes = 0
    private(set) var gradientBytes = 0
    private(set) var peakBytes = 0

    /// Adds (or, negative, removes) parameter and gradient elements of `Float`.
    func change(parameterElements: Int = 0, gradientElements: Int = 0) {
        parameterBytes += parameterElements * MemoryLayout<Float>.stride
        gradientBytes += gradientElements * MemoryLayout<Float>.stride
        precondition(parameterBytes >= 0 && gradientBytes >= 0,
                     "MemoryLedger: freed more than was charged (\(parameterBytes) B values, \(gradientBytes) B gradients)")
        peakBytes = max(peakBytes, parameterBytes + gradientBytes)
    }

    /// Starts a new peak at the current total.
    func resetPeak() {
        peakBytes = parameterBytes + gradientBytes
    }

    /// The record ``MemoryAccounting/memoryUsage`` reports.
    var usage: MemoryUsage {
        MemoryUsage(parameterBytes: parameterBytes, gradientBytes: gradientBytes, peakBytes: peakBytes)
    }
}
