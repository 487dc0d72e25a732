public import CairnCore
import CairnDDP
import CairnSingle

extension StrategyRegistry {
    /// The strategies Cairn ships: `single` and `ddp`.
    ///
    /// A program that adds its own starts from this and registers more:
    /// `var strategies = StrategyRegistry.builtIn; try strategies.register(LocalSGDStrategy.self)`.
    public static var builtIn: StrategyRegistry {
        var registry = StrategyRegistry()
        do {
            try registry.register(SingleDeviceStrategy.self)
            try registry.register(DDPStrategy.self)
        } catch {
            preconditionFailure("built-in strategy kinds collide: \(error)")
        }
        return registry
    }
}
