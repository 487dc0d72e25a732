public import CairnJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the trainer tells the commit about a checkpoint beside its files: the manifest's descriptive fields.
public struct CheckpointMetadata: Sendable, Hashable {
    /// Optimizer steps completed when the checkpoint was taken.
    public var globalStep: Int
    /// The epoch as a fraction (samples consumed / dataset size).
    public var epoch: Double
    /// The strategy's kind, such as `fsdp2`.
    public var strategyKind: String
    /// The strategy's options as configured.
    public var strategyOptions: JSONValue
    /// The PEFT (LoRA) configuration, or `nil` when training the full model.
    public var peft: JSONValue?
    /// The hash of the run's configuration.
    public var configHash: String
    /// A fingerprint of the base model (its config and weights), so a resume can refuse another model.
    public var modelFingerprint: String
    /// The version of Cairn that wrote the checkpoint.
    public var libraryVersion: String
    /// When the checkpoint was taken, ISO 8601 in UTC (``timestamp(secondsSince1970:)``).
    public var createdAt: String

    /// Creates metadata.
    public init(
        globalStep: Int, epoch: Double, strategyKind: String, strategyOptions: JSONValue = [:], peft: JSONValue? = nil,
        configHash: String, modelFingerprint: String, libraryVersion: String,
        createdAt: String = CheckpointMetadata.timestamp()
    ) {
        self.globalStep = globalStep
        self.epoch = epoch
        self.strategyKind = strategyKind
        self.strategyOptions = strategyOptions
        self.peft = peft
        self.configHash = configHash
        self.modelFingerprint = modelFingerprint
        self.libraryVersion = libraryVersion
        self.createdAt = createdAt
    }

    /// `seconds` (default: now) as ISO 8601 in UTC with milliseconds: `2026-05-01T12:34:56.789Z`.
    public static func timestamp(secondsSince1970 seconds: Double? = nil) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let value = seconds ?? Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        var whole = time_t(value.rounded(.down))
        let milliseconds = min(999, Int(((value - Double(whole)) * 1000).rounded(.down)))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}
