public import CairnCore

/// One rank's side of ``DDPStrategy``: whole parameters, gradients summed across ranks in buckets.
public final class DDPRuntime: StrategyRuntime {
    private let parameters: [any ModelParameter]
    private let trainable: [any ModelParameter]
    private let communicator: any Communicator
    private let buckets: [GradientBucket]

    init(model: any ParameterTree, communicator: any Communicator, bucketCapBytes: Int) {
        self.parameters = model.parameters
        self.trainable = parameters.filter(\.isTrainable)
        self.communicator = communicator
        self.buckets = GradientBucket.partition(trainable, capBytes: bucketCapBytes)
    }

    /// The buckets' sizes in elements, in all-reduce order.
    public var bucketElementCounts: [Int] { buckets.map(\.elementCount) }

    public var parameterHooks: (any ParameterHooks)? { nil }

    public func synchronizeGradients(_ step: StepContext) async throws {
        guard communicator.worldSize > 1 else { return }
        for bucket in buckets { try await bucket.allReduce(using: communicator) }
    }

    public func optimizerShards() throws -> [ParameterShard] {
        trainable.map(\.replicatedShard)
    }

    public func finishStep(_ step: StepContext) async throws {
        for parameter in trainable { parameter.gradient.update(repeating: 0) }
    }

    public func parameterPieces() throws -> [ParameterPiece] {
        parameters.map(\.replicatedPiece)
    }

    /// `ddp` keeps no state of its own: replicas and their optimizers are identical on every rank.
    public func stateDict() throws -> StateDict { StateDict() }

    public func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys([], options: options)
    }
}
