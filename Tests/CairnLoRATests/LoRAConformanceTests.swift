import CairnConformance
import CairnCore
import CairnDDP
import CairnFSDP
import CairnLoRA
import CairnSingle
import CairnZeRO
import Testing

/// LoRA composed with every built-in strategy keeps the strategy laws: adapters on a frozen base train like
/// `single` with the same adapters, resume bit for bit, commit nothing when a save fails, and reshard.
@Suite(.serialized) struct LoRAConformanceTests {
    /// Rank 4 on every linear layer, no dropout, so runs at different world sizes compute the same mathematics.
    static let exact = StrategyConformance.Options(
        lora: LoRAConfiguration(rank: 4, alpha: 8, dropout: 0, targetModules: ["all-linear"]))

    @Test func loraWithSingleSatisfiesEveryLaw() async {
        await StrategyConformance.verify(SingleDeviceStrategy.self, configuration: .init(), worldSizes: [1],
                                         options: Self.exact)
    }

    @Test func loraWithDDPSatisfiesEveryLaw() async {
        await StrategyConformance.verify(DDPStrategy.self, configuration: .init(), options: Self.exact)
    }

    @Test func loraWithFSDP2SatisfiesEveryLaw() async {
        await StrategyConformance.verify(FSDPStrategy.self, configuration: .init(), options: Self.exact)
    }

    @Test(arguments: ZeROStage.allCases)
    func loraWithZeROSatisfiesEveryLaw(stage: ZeROStage) async {
        await StrategyConformance.verify(ZeROStrategy.self, configuration: .init(stage: stage), options: Self.exact)
    }

    /// With dropout, each rank draws its masks from Cairn's RNG: runs repeat bit for bit and resume exactly,
    /// including across a failed save, because the generator's position is part of every checkpoint.
    @Test func loraDropoutResumesExactly() async {
        var options = Self.exact
        options.lora?.dropout = 0.1
        options.lora?.targetModules = ["q_proj", "v_proj"]
        await StrategyConformance.verify(DDPStrategy.self, configuration: .init(), worldSizes: [1, 2, 3],
                                         options: options,
                                         laws: [.determinism, .resumeIsBitIdentical, .failedSaveIsNeverCommitted])
    }
}
