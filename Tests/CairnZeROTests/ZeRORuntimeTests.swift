import CairnConformance
import CairnCore
import CairnEmbedded
import CairnNN
import CairnZeRO
import Testing

struct ZeRORuntimeTests {
    private typealias MinimalModel = StrategyConformance.MinimalModel

    /// On 4 ranks every rank lists every trainable parameter once, sorted, as the `.elements` piece the flat
    /// partition gives it (empty where its partition misses the parameter), and never the frozen one.
    @Test(arguments: ZeROStage.allCases)
    func everyRankListsEveryTrainableParameterAsItsFlatPiece(stage: ZeROStage) async throws {
        let layouts = try await LocalRankGroup(worldSize: 4, timeout: .seconds(30)).run { communicator in
            let runtime = try await Self.runtime(stage, model: MinimalModel(), communicator: communicator)
            return try runtime.optimizerShards().map { [$0.key.rawValue: $0.layout] }
        }
        let trainable = MinimalModel.layout.filter(\.isTrainable)
        let partition = FlatPartition(parameters: trainable.map { ($0.key, $0.shape.reduce(1, *)) }, worldSize: 4)
        for (rank, shards) in layouts.enumerated() {
            #expect(shards.map { $0.keys.first } == trainable.map(\.key.rawValue))
            for (entry, parameter) in trainable.enumerated() {
                let expected = TensorLayout(globalShape: parameter.shape,
                                            placement: .elements(partition.localRange(ofEntry: entry, rank: rank)))
                #expect(shards[entry][parameter.key.rawValue] == expected)
            }
        }
    }

    /// Stage 3 saves every parameter, the frozen one too, as flat pieces; stages 1–2 save whole replicas.
    @Test(arguments: ZeROStage.allCases)
    func modelPiecesAreFlatOnlyAtStageThree(stage: ZeROStage) async throws {
        let placements = try await LocalRankGroup(worldSize: 3, timeout: .seconds(30)).run { communicator in
            let runtime = try await Self.runtime(stage, model: MinimalModel(), communicator: communicator)
            return try runtime.parameterPieces().map { piece -> Bool in
                if case .elements = piece.layout.placement { return true }
                return false
            }
        }
        for rankPlacements in placements {
            #expect(rankPlacements.count == MinimalModel.layout.count)
            #expect(rankPlacements.allSatisfy { $0 == (stage == .parameters) })
        }
    }

    @Test(arguments: ZeROStage.allCases)
    func onlyStagesTwoAndThreeHook(stage: ZeROStage) async throws {
        let hasHooks = try await LocalRankGroup(worldSize: 2, timeout: .seconds(30)).run { communicator in
            try await Self.runtime(stage, model: MinimalModel(), communicator: communicator).parameterHooks != nil
        }
        #expect(hasHooks == [stage != .optimizerState, stage != .optimizerState])
    }

    /// Stage 3 releases a Qwen3's values when made, materializes a unit's for its use and releases them after, and
    /// charges exactly the unit's bytes meanwhile.
    @Test func stageThreeGathersAUnitOnlyAroundItsUse() async throws {
        let results = try await LocalRankGroup(worldSize: 2, timeout: .seconds(30)).run { communicator in
            let model = Qwen3ForCausalLM(configuration: TinyQwen3Step.configuration)
            model.initializeRandomly(seed: 1)
            let expected = Dictionary(uniqueKeysWithValues: model.allParameters.map { ($0.key, Array($0.values)) })
            let runtime = try await Self.runtime(.parameters, model: model, communicator: communicator)
            let unit = model.units[2]
            let released = model.allParameters.allSatisfy { !$0.isMaterialized }
            let before = runtime.memoryUsage.parameterBytes
            let context = StepContext(globalStep: 0, microStep: 0, accumulationSteps: 1)
            try await runtime.willUse(unit, phase: .forward, step: context)
            let during = runtime.memoryUsage.parameterBytes
            let unitParameters = unit.parameterKeys.compactMap(model.parameter(forKey:))
            let gathered = unitParameters.allSatisfy { $0.isMaterialized && Array($0.values) == expected[$0.key] }
            let othersReleased = model.allParameters.filter { !unit.parameterKeys.contains($0.key) }.allSatisfy { !$0.isMaterialized }
            try await runtime.didUse(unit, phase: .forward, step: context)
            let unitBytes = unitParameters.reduce(0) { $0 + $1.elementCount } * MemoryLayout<Float>.stride
            return [released, gathered, othersReleased, during - before == unitBytes,
                    runtime.memoryUsage.parameterBytes == before, unitParameters.allSatisfy { !$0.isMaterialized }]
        }
        for rankResults in results {
            #expect(rankResults == [true, true, true, true, true, true])
        }
    }

    /// A parameter that belongs to no unit could never be gathered at stage 3: making the runtime says so.
    @Test func stageThreeRejectsAParameterOutsideEveryUnit() async throws {
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await LocalRankGroup(worldSize: 1).run { communicator in
                try await Self.runtime(.parameters, model: UnitlessHead(), communicator: communicator).stage
            }
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains("model.head.weight") == true)
    }

    // MARK: - Private helpers

    private static func runtime(
        _ stage: ZeROStage, model: any ParameterTree, communicator: any Communicator
    ) async throws -> ZeRORuntime {
        try await ZeROStrategy(configuration: .init(stage: stage))
            .makeRuntime(for: model, context: StrategyContext(communicator: communicator, seed: 0))
    }

    /// The minimal model with `model.head.weight` left out of its units.
    private final class UnitlessHead: ParameterTree {
        let model = MinimalModel()
        var parameters: [any ModelParameter] { model.parameters }
        var units: [ParameterUnit] {
            model.units.map { unit in
                ParameterUnit(name: unit.name, parameterKeys: unit.parameterKeys.filter { $0 != "model.head.weight" })
            }
        }
    }
}
