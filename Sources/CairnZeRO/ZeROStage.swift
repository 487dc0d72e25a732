/// How much of the training state ZeRO partitions across ranks (Rajbhandari et al., "ZeRO: Memory Optimizations
/// Toward Training Trillion Parameter Models", 2020; DeepSpeed's `zero_optimization.stage`).
///
/// Each stage partitions everything the one before it does, plus one more kind of state:
///
/// | stage | parameters | gradients | optimizer state |
/// | --- | --- | --- | --- |
/// | 1 ``optimizerState`` | replicated | all-reduced whole at the end of accumulation | flat-partitioned |
/// | 2 ``gradients`` | replicated | reduce-scattered into flat partitions, unit by unit | flat-partitioned |
/// | 3 ``parameters`` | flat-partitioned, gathered one unit at a time | as stage 2 | flat-partitioned |
public enum ZeROStage: Int, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Stage 1: the optimizer state (AdamW's two moments) is partitioned; parameters and gradients stay whole.
    case optimizerState = 1
    /// Stage 2: gradients are partitioned too; a unit's whole gradients live only until they are reduced.
    case gradients = 2
    /// Stage 3: parameters are partitioned too; a unit's whole values live only while the model uses the unit.
    case parameters = 3

    public static func < (lhs: ZeROStage, rhs: ZeROStage) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "stage \(rawValue)" }
}
