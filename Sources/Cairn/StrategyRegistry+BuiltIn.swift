public import CairnCore
import CairnDDP
import CairnFSDP
import CairnSingle
import CairnZeRO

extension StrategyRegistry {
    /// The strategies Cairn ships: `single`, `ddp`, `fsdp2` and `zero`.
    ///
    /// A program that adds its own starts from this and registers more:
    /// `var strategies = StrategyRegistry.builtIn; try strategies.register(LocalSGDStrategy.self)`.
    public static var builtIn: StrategyRegistry {
        var registry = StrategyRegistry()
        do {
            try registry.register(SingleDeviceStrategy.self)
            try registry.register(DDPStrategy.self)
            try registry.register(FSDPStrategy.self)
            try registry.register(ZeROStrategy.self)
        } catch {
            preconditionFailure("built-in strategy kinds collide: \(error)")
        }
        return registry
    }
}
