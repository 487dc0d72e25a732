import CairnConformance
import CairnCore
import CairnEmbedded
import CairnSingle
import Testing

/// `single` is the reference the kit measures other strategies against, so it must satisfy every law itself.
@Suite(.serialized) struct SingleDeviceStrategyTests {
    @Test func singleSatisfiesEveryLaw() async {
        await StrategyConformance.verify(SingleDeviceStrategy.self, configuration: .init(), worldSizes: [1])
    }
}
