/// One value that differs between two configurations, such as on resume.
///
/// `description` reads `learning_rate changed 0.0001 → 0.0002`.
public struct ConfigurationChange: Sendable, Equatable, CustomStringConvertible {
    /// The dotted key (`learning_rate`, `dist_config.world_size`).
    public let key: String
    /// The earlier value's canonical text, or `nil` when the key did not exist.
    public let oldValue: String?
    /// The later value's canonical text, or `nil` when the key no longer exists.
    public let newValue: String?

    /// Creates a change.
    public init(key: String, oldValue: String?, newValue: String?) {
        self.key = key
        self.oldValue = oldValue
        self.newValue = newValue
    }

    /// Whether a run may not resume across this change: the base model or the global batch (the data order and
    /// the meaning of a step depend on it). The trainer refuses these and logs the others.
    public var blocksResume: Bool {
        ConfigurationChange.resumeBlockingKeys.contains(key)
    }

    /// The keys whose change makes a checkpoint unusable for resuming.
    public static let resumeBlockingKeys: Set<String> = ["model", "model_class", "global_batch_size"]

    /// `learning_rate changed 0.0001 → 0.0002`, `peft_config.r added (16)`, `… removed (was 16)`.
    public var description: String {
        switch (oldValue, newValue) {
        case (let old?, let new?): return "\(key) changed \(old) → \(new)"
        case (nil, let new?): return "\(key) added (\(new))"
        case (let old?, nil): return "\(key) removed (was \(old))"
        case (nil, nil): return "\(key) unchanged"
        }
    }
}
