import CairnCore

/// Consecutive gradients packed into one flat buffer so a single all-reduce carries them.
final class GradientBucket {
    private let parameters: [any ModelParameter]
    private let flat: UnsafeMutableBufferPointer<Float>

    init(_ parameters: [any ModelParameter]) {
        self.parameters = parameters
        flat = .allocate(capacity: parameters.reduce(0) { $0 + $1.elementCount })
    }

    deinit {
        flat.deallocate()
    }

    var elementCount: Int { flat.count }

    /// Groups parameters in order into buckets of at most `capBytes` (a larger parameter gets a bucket alone).
    static func partition(_ parameters: [any ModelParameter], capBytes: Int) -> [GradientBucket] {
        var buckets: [GradientBucket] = []
        var current: [any ModelParameter] = []
        var bytes = 0
        for parameter in parameters {
            let size = parameter.elementCount * MemoryLayout<Float>.stride
            if !current.isEmpty, bytes + size > capBytes {
                buckets.append(GradientBucket(current))
                current = []
                bytes = 0
            }
            current.append(parameter)
            bytes += size
        }
        if !current.isEmpty { buckets.append(GradientBucket(current)) }
        return buckets
    }

    /// Packs the gradients, sums them across ranks, and unpacks the result.
    func allReduce(using communicator: any Communicator) async throws {
        var offset = 0
        for parameter in parameters {
            let gradient = parameter.gradient
            _ = UnsafeMutableBufferPointer(rebasing: flat[offset..<offset + gradient.count]).update(fromContentsOf: gradient)
            offset += gradient.count
        }
        try await communicator.allReduce(flat, .sum)
        offset = 0
        for parameter in parameters {
            let gradient = parameter.gradient
            _ = gradient.update(fromContentsOf: UnsafeMutableBufferPointer(rebasing: flat[offset..<offset + gradient.count]))
            offset += gradient.count
        }
    }
}
