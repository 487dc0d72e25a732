import CairnConformance
import CairnCore
import CairnEmbedded
import CairnFSDP
import Testing

@Suite struct FSDPRuntimeTests {
    typealias TestModel = ReleasableTestModel

    private static func makeRuntime(
        _ model: any ParameterTree, communicator: any Communicator, reshardAfterForward: Bool = true
    ) async throws -> FSDPRuntime {
        try await FSDPStrategy(configuration: .init(reshardAfterForward: reshardAfterForward))
            .makeRuntime(for: model, context: StrategyContext(communicator: communicator, seed: 0))
    }

    // MARK: - Shards and pieces

    /// On 4 ranks the minimal model has empty shards (`[1]`, `[5, 3]`, `[3, 2, 2]`, the frozen `[6]`): they are
    /// 0-element pieces and 0-element optimizer shards, and the pieces in rank order rebuild every tensor.
    @Test func piecesFollowChunkedRowsIncludingEmptyOnes() async throws {
        let worldSize = 4
        let seen = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let runtime = try await Self.makeRuntime(StrategyConformance.MinimalModel(), communicator: communicator)
            let pieces = try runtime.parameterPieces().map { ($0.key, $0.layout, Array($0.values)) }
            let shards = try runtime.optimizerShards().map { ($0.key, $0.layout, $0.values.count, Array($0.gradient)) }
            return (pieces, shards)
        }
        let reference = StrategyConformance.MinimalModel()
        for (rank, (pieces, shards)) in seen.enumerated() {
            #expect(pieces.map(\.0) == reference.minimalParameters.map(\.key), "every parameter, sorted")
            for (key, layout, _) in pieces {
                let shape = try #require(reference.parameter(key)).shape
                #expect(layout == RowChunking(shape: shape, worldSize: worldSize).layout(ofRank: rank))
            }
            #expect(shards.map(\.0) == reference.minimalParameters.filter(\.isTrainable).map(\.key), "frozen excluded")
            #expect(shards.allSatisfy { $0.1.localElementCount == $0.2 && $0.3 == Array(repeating: 0, count: $0.2) })
        }
        #expect(seen.map { $0.1.first { $0.0 == "model.blocks.0.scale" }?.2 } == [1, 0, 0, 0])
        #expect(seen.map { $0.0.first { $0.0 == "model.embed.weight" }?.1.placement } == [
            .rows(0..<2), .rows(2..<4), .rows(4..<5), .rows(5..<5),
        ])
        for parameter in reference.minimalParameters {
            let rebuilt = seen.flatMap { $0.0.first { $0.0 == parameter.key }?.2 ?? [] }
            #expect(rebuilt == Array(parameter.values), "\(parameter.key)")
        }
    }

    /// The runtime keeps no state: its layout is a function of the world size.
    @Test func stateDictIsEmptyAndRejectsKeys() async throws {
        let runtime = try await LocalRankGroup(worldSize: 1).run { communicator in
            try await Self.makeRuntime(StrategyConformance.MinimalModel(), communicator: communicator).stateDict()
        }[0]
        #expect(runtime.isEmpty)
        let stray = StateDict([(StateKey("bucket"), StateValue.int(1))])
        await #expect(throws: StateDictError.self) {
            try await LocalRankGroup(worldSize: 1).run { communicator in
                try await Self.makeRuntime(StrategyConformance.MinimalModel(), communicator: communicator)
                    .loadStateDict(stray, options: .strict)
            }
        }
    }

    // MARK: - The unit cycle

    /// Releases every parameter after copying the shards; forward gathers one unit at a time and releases the
    /// previous one when the next is gathered; the root and the last block, still resident when backward begins,
    /// are not gathered again; backward releases each unit and its gradients as it goes.
    @Test(arguments: [1, 2, 3])
    func unitsAreResidentOnlyAroundTheirUse(worldSize: Int) async throws {
        let observations = try await LocalRankGroup(worldSize: worldSize).run { local in
            let communicator = CountingCommunicator(inner: local)
            let model = TestModel()
            let reference = TestModel()
            let runtime = try await Self.makeRuntime(model, communicator: communicator)
            let hooks = try #require(runtime.parameterHooks)
            let units = model.units
            let step = StepContext(globalStep: 0, microStep: 0, accumulationSteps: 1)
            var resident: [[Bool]] = [model.testParameters.map(\.isMaterialized)]
            func snapshot() { resident.append(model.testParameters.map(\.isMaterialized)) }

            try await hooks.willUse(units[0], phase: .forward, step: step)
            snapshot()  // 1: root only
            for unit in units.dropFirst() {
                try await hooks.willUse(unit, phase: .forward, step: step)
                for parameter in model.parameters(ofUnit: unit.name) {
                    #expect(Array(parameter.values) == Array(reference.parameter(parameter.key).values))
                }
                try await hooks.didUse(unit, phase: .forward, step: step)
                snapshot()  // 2, 3: root and this block
            }
            try await hooks.didUse(units[0], phase: .forward, step: step)
            let gathersInForward = communicator.counts["allGather"]
            // Backward as the trainer drives it: the root's hooks enclose the blocks, in reverse.
            func backward(_ unit: ParameterUnit, enclosing inner: () async throws -> Void) async throws {
                try await hooks.willUse(unit, phase: .backward, step: step)
                try await inner()
                for parameter in model.parameters(ofUnit: unit.name) where parameter.isTrainable {
                    parameter.gradient.update(repeating: 1)
                }
                try await hooks.gradientsReady(unit, step: step)
                #expect(model.parameters(ofUnit: unit.name).allSatisfy { !$0.hasGradient }, "full gradients freed")
                try await hooks.didUse(unit, phase: .backward, step: step)
                snapshot()  // 4, 5: after each block's backward; 6: after the root's
            }
            try await backward(units[0]) {
                for unit in units.dropFirst().reversed() {
                    try await backward(unit) {}
                }
            }
            return (resident, gathersInForward, communicator.counts["allGather"], communicator.counts["reduceScatter"])
        }
        let names = TestModel.layout.map(\.key)
        func unitMask(_ keys: Set<StateKey>) -> [Bool] { names.map(keys.contains) }
        let root = unitMask(["model.embed.weight", "model.norm.weight", "model.head.weight"])
        let block0 = unitMask(["model.blocks.0.mlp.weight", "model.blocks.0.scale"])
        let block1 = unitMask(["model.blocks.1.proj.weight", "model.blocks.1.frozen.weight"])
        let none = Array(repeating: false, count: names.count)
        func union(_ a: [Bool], _ b: [Bool]) -> [Bool] { zip(a, b).map { $0 || $1 } }
        for (resident, gathersInForward, gathers, reductions) in observations {
            #expect(resident == [none, root, union(root, block0), union(root, block1), root, root, none])
            if worldSize > 1 {
                #expect(gathersInForward == 7, "one all-gather per parameter")
                #expect(gathers == 9, "backward gathers blocks.0 only: the root and blocks.1 were still resident")
                #expect(reductions == 6, "one reduce-scatter per trainable parameter")
            }
        }
    }

    /// With `reshard_after_forward: false` every unit stays from its forward until its backward is done.
    @Test func withoutReshardingUnitsStayFromForwardToBackward() async throws {
        let observations = try await LocalRankGroup(worldSize: 2).run { local in
            let communicator = CountingCommunicator(inner: local)
            let model = TestModel()
            let runtime = try await Self.makeRuntime(model, communicator: communicator, reshardAfterForward: false)
            let hooks = try #require(runtime.parameterHooks)
            let step = StepContext(globalStep: 0, microStep: 0, accumulationSteps: 1)
            for unit in model.units {
                try await hooks.willUse(unit, phase: .forward, step: step)
                try await hooks.didUse(unit, phase: .forward, step: step)
            }
            let allResident = model.testParameters.allSatisfy(\.isMaterialized)
            for unit in model.units.reversed() {
                try await hooks.willUse(unit, phase: .backward, step: step)
                try await hooks.gradientsReady(unit, step: step)
                try await hooks.didUse(unit, phase: .backward, step: step)
            }
            return (allResident, model.testParameters.contains(where: \.isMaterialized), communicator.counts["allGather"])
        }
        for (allResident, anyResident, gathers) in observations {
            #expect(allResident)
            #expect(!anyResident)
            #expect(gathers == 7, "each unit gathered once per micro-step")
        }
    }

    /// Gradients of several micro-steps add up in the shards, whatever the rank; `finishStep` frees them and any
    /// unit a forward-only pass left gathered.
    @Test(arguments: [1, 2, 4])
    func gradientsAccumulateAcrossMicroStepsAndFinishStepClearsThem(worldSize: Int) async throws {
        let seen = try await LocalRankGroup(worldSize: worldSize).run { communicator in
            let model = TestModel()
            let runtime = try await Self.makeRuntime(model, communicator: communicator)
            let hooks = try #require(runtime.parameterHooks)
            for micro in 0..<3 {
                let step = StepContext(globalStep: 0, microStep: micro, accumulationSteps: 3)
                for unit in model.units.reversed() {
                    try await hooks.willUse(unit, phase: .backward, step: step)
                    for parameter in model.parameters(ofUnit: unit.name) where parameter.isTrainable {
                        let gradient = parameter.gradient
                        for i in gradient.indices { gradient[i] = Float((communicator.rank + 1) * (micro + 1) + i) }
                    }
                    try await hooks.gradientsReady(unit, step: step)
                    try await hooks.didUse(unit, phase: .backward, step: step)
                }
            }
            let step = StepContext(globalStep: 0, microStep: 2, accumulationSteps: 3)
            try await runtime.synchronizeGradients(step)
            let gradients = try runtime.optimizerShards().map { ($0.key, $0.layout, Array($0.gradient)) }
            try await hooks.willUse(model.units[1], phase: .forward, step: step)
            try await hooks.didUse(model.units[1], phase: .forward, step: step)
            try await runtime.finishStep(step)
            let usage = runtime.memoryUsage
            let cleared = try runtime.optimizerShards().allSatisfy { $0.gradient.allSatisfy { $0 == 0 } }
            return (gradients, cleared, model.testParameters.contains(where: \.isMaterialized), usage)
        }
        // Σ over ranks r and micro-steps m of (r + 1)(m + 1) + i = 6 · W(W + 1)/2 + 3W · i.
        let rankSum = worldSize * (worldSize + 1) / 2
        for (gradients, cleared, anyResident, usage) in seen {
            for (key, layout, values) in gradients {
                let expected = layout.globalElementRange.map { Float(6 * rankSum + 3 * worldSize * $0) }
                #expect(values == expected, "\(key)")
            }
            #expect(cleared)
            #expect(!anyResident)
            #expect(usage.gradientBytes == 0, "shard gradients are freed until the next reduction")
        }
    }

    // MARK: - Memory accounting

    /// The ledger starts at the padded shards, grows by exactly the unit gathered, and returns after a step.
    @Test func memoryUsageCountsShardsPlusWhatIsGathered() async throws {
        let usages = try await LocalRankGroup(worldSize: 2).run { communicator in
            let model = TestModel()
            let runtime = try await Self.makeRuntime(model, communicator: communicator)
            let hooks = try #require(runtime.parameterHooks)
            let step = StepContext(globalStep: 0, microStep: 0, accumulationSteps: 1)
            var usages = [runtime.memoryUsage]
            try await hooks.willUse(model.units[1], phase: .forward, step: step)
            usages.append(runtime.memoryUsage)
            try await hooks.didUse(model.units[1], phase: .forward, step: step)
            try await hooks.willUse(model.units[1], phase: .backward, step: step)
            usages.append(runtime.memoryUsage)
            try await hooks.gradientsReady(model.units[1], step: step)
            try await hooks.didUse(model.units[1], phase: .backward, step: step)
            usages.append(runtime.memoryUsage)
            try await runtime.finishStep(step)
            usages.append(runtime.memoryUsage)
            runtime.resetPeakMemory()
            usages.append(runtime.memoryUsage)
            return usages
        }
        let float = MemoryLayout<Float>.stride
        // Padded shards on 2 ranks: [4,4] 8, [1] 1, [6] 3, [3,2,2] 8, [5,3] 9, [7,3] 12, [7] 4 floats.
        let shards = (8 + 1 + 3 + 8 + 9 + 12 + 4) * float
        let block0 = (16 + 1) * float
        for usage in usages {
            #expect(usage[0] == MemoryUsage(parameterBytes: shards, gradientBytes: 0, peakBytes: shards))
            #expect(usage[1].parameterBytes == shards + block0)
            #expect(usage[2] == MemoryUsage(parameterBytes: shards + block0, gradientBytes: block0,
                                            peakBytes: shards + 2 * block0))
            #expect(usage[3].parameterBytes == shards && usage[3].gradientBytes == (8 + 1) * float)
            // The peak came while reducing the first gradient: its new 8-float shard beside both full gradients.
            #expect(usage[4] == MemoryUsage(parameterBytes: shards, gradientBytes: 0,
                                            peakBytes: shards + 2 * block0 + 8 * float))
            #expect(usage[5].peakBytes == shards)
        }
    }

    // MARK: - Refusals

    /// Each rank copies its shard from its own model, so ranks that built different models must not start.
    @Test func ranksWithDifferentInitialValuesAreRefused() async throws {
        let codes = try await LocalRankGroup(worldSize: 3).run { communicator in
            do {
                _ = try await Self.makeRuntime(TestModel(seed: communicator.rank == 2 ? 1 : 0), communicator: communicator)
                return "made"
            } catch let error as FSDPError {
                return error.code.name
            }
        }
        #expect(codes == ["divergentReplicas", "divergentReplicas", "divergentReplicas"])
    }

    @Test func aScalarParameterOrUnitsThatMissAParameterAreRefused() async throws {
        final class Scalar: ModelParameter {
            let key: StateKey = "model.scalar"
            let shape: [Int] = []
            let isTrainable = true
            let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
            let gradient = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
            deinit {
                values.deallocate()
                gradient.deallocate()
            }
        }
        final class Tree: ParameterTree {
            let scalar = Scalar()
            let units: [ParameterUnit]
            init(units: [ParameterUnit]) { self.units = units }
            var parameters: [any ModelParameter] { [scalar] }
        }
        let codes = try await LocalRankGroup(worldSize: 1).run { communicator in
            var codes: [String] = []
            for tree in [Tree(units: [ParameterUnit(name: "root", parameterKeys: ["model.scalar"])]), Tree(units: [])] {
                do {
                    _ = try await Self.makeRuntime(tree, communicator: communicator)
                } catch let error as FSDPError {
                    codes.append(error.code.name)
                }
            }
            let orphaned = TestModel()
            let partial = FSDPStrategy()
            do {
                _ = try await partial.makeRuntime(
                    for: PartialUnits(orphaned), context: StrategyContext(communicator: communicator, seed: 0))
            } catch let error as FSDPError {
                codes.append(error.code.name + (error.key.map { " \($0.rawValue)" } ?? ""))
            }
            return codes
        }[0]
        #expect(codes == ["unshardableParameter", "unshardableParameter", "invalidUnits model.blocks.0.mlp.weight"])
    }
}

/// A model whose units leave out `blocks.0`.
private final class PartialUnits: ParameterTree {
    let model: ReleasableTestModel
    init(_ model: ReleasableTestModel) { self.model = model }
    var parameters: [any ModelParameter] { model.parameters }
    var units: [ParameterUnit] { model.units.filter { $0.name != "blocks.0" } }
}
