import CairnCore

/// The element-wise reduction loops of the in-process collectives, written per concrete element type.
///
/// Calling `ReduceOperation.combine` through the generic `CollectiveScalar` protocol costs a witness call per
/// element and runs ~50× slower than memory bandwidth; these loops are concrete, so the compiler vectorizes them.
/// Every destination receives `((x₀ ∘ x₁) ∘ x₂) ∘ …` in rank order, so results are deterministic.
enum SliceReduction {
    /// Reduces `range` of every source into every destination (the pointers may be the same buffers).
    static func reduce(
        _ type: CollectiveScalarType, _ operation: ReduceOperation, sources: [UnsafeMutableRawPointer],
        destinations: [UnsafeMutableRawPointer], range: Range<Int>
    ) {
        guard !range.isEmpty else { return }
        switch type {
        case .float32: run(Float.self, operation, sources, destinations, range)
        case .float64: run(Double.self, operation, sources, destinations, range)
        case .int64: run(Int64.self, operation, sources, destinations, range)
        case .uint8: run(UInt8.self, operation, sources, destinations, range)
        }
    }

    @inline(__always)
    private static func run<T: CollectiveScalar>(
        _: T.Type, _ operation: ReduceOperation, _ sources: [UnsafeMutableRawPointer],
        _ destinations: [UnsafeMutableRawPointer], _ range: Range<Int>
    ) {
        switch (T.self, operation) {
        case (is Float.Type, .sum): sum(Float.self, sources, destinations, range)
        case (is Double.Type, .sum): sum(Double.self, sources, destinations, range)
        case (is Int64.Type, .sum): sumIntegers(Int64.self, sources, destinations, range)
        case (is UInt8.Type, .sum): sumIntegers(UInt8.self, sources, destinations, range)
        default: generic(T.self, operation, sources, destinations, range)
        }
    }

    private static func sum<T: BinaryFloatingPoint>(
        _: T.Type, _ sources: [UnsafeMutableRawPointer], _ destinations: [UnsafeMutableRawPointer], _ range: Range<Int>
    ) {
        let inputs = sources.map { $0.assumingMemoryBound(to: T.self) }
        let outputs = destinations.map { $0.assumingMemoryBound(to: T.self) }
        let first = inputs[0]
        // Accumulate in the first output (a copy of source 0), one source at a time: rank order, streaming access.
        let accumulator = outputs[0]
        if accumulator != first { for i in range { accumulator[i] = first[i] } }
        for peer in inputs.dropFirst() { for i in range { accumulator[i] += peer[i] } }
        for output in outputs.dropFirst() where output != accumulator { for i in range { output[i] = accumulator[i] } }
    }

    private static func sumIntegers<T: FixedWidthInteger>(
        _: T.Type, _ sources: [UnsafeMutableRawPointer], _ destinations: [UnsafeMutableRawPointer], _ range: Range<Int>
    ) {
        let inputs = sources.map { $0.assumingMemoryBound(to: T.self) }
        let outputs = destinations.map { $0.assumingMemoryBound(to: T.self) }
        for i in range {
            var accumulator = inputs[0][i]
            for peer in inputs.dropFirst() { accumulator += peer[i] }
            for output in outputs { output[i] = accumulator }
        }
    }

    private static func generic<T: CollectiveScalar>(
        _: T.Type, _ operation: ReduceOperation, _ sources: [UnsafeMutableRawPointer],
        _ destinations: [UnsafeMutableRawPointer], _ range: Range<Int>
    ) {
        let inputs = sources.map { $0.assumingMemoryBound(to: T.self) }
        let outputs = destinations.map { $0.assumingMemoryBound(to: T.self) }
        for i in range {
            var accumulator = inputs[0][i]
            for peer in inputs.dropFirst() { accumulator = operation.combine(accumulator, peer[i]) }
            for output in outputs { output[i] = accumulator }
        }
    }
}
