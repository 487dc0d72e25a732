import CairnCore

extension ZeROStrategy {
    /// The options under `dist_config`, besides `name` and `world_size`, which Cairn reads itself.
    ///
    /// `stage` is **required**: the stages differ several-fold in memory and in traffic, so Cairn never picks one
    /// silently (DeepSpeed's own default, 0, is not ZeRO at all — that is `ddp`). The bucket sizes keep DeepSpeed's
    /// names and defaults (5e8 elements) and bound how many elements one collective carries:
    /// `reduce_bucket_size` the gradient all-reduce (stage 1) and reduce-scatters (stages 2–3),
    /// `allgather_bucket_size` the parameter all-gathers (after each update at stages 1–2, before each unit's use at
    /// stage 3). Smaller buckets mean smaller scratch buffers and more, smaller messages. Every other key is an
    /// error.
    ///
    /// ```yaml
    /// dist_config:
    ///   name: zero
    ///   world_size: 4
    ///   stage: 3
    ///   reduce_bucket_size: 5e8       # elements, as DeepSpeed
    ///   allgather_bucket_size: 5e8
    /// ```
    public struct Configuration: Decodable, Sendable, Hashable {
        /// DeepSpeed's default for both bucket sizes: 5e8 elements.
        public static let defaultBucketSize = 500_000_000

        /// What is partitioned.
        public var stage: ZeROStage
        /// The most gradient elements one all-reduce or reduce-scatter carries.
        public var reduceBucketSize: Int
        /// The most parameter elements one all-gather carries.
        public var allgatherBucketSize: Int

        /// Creates options.
        /// - Precondition: both bucket sizes are at least 1.
        public init(
            stage: ZeROStage, reduceBucketSize: Int = defaultBucketSize, allgatherBucketSize: Int = defaultBucketSize
        ) {
            precondition(reduceBucketSize >= 1 && allgatherBucketSize >= 1,
                         "ZeROStrategy.Configuration: bucket sizes must be at least one element")
            self.stage = stage
            self.reduceBucketSize = reduceBucketSize
            self.allgatherBucketSize = allgatherBucketSize
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case stage
            case reduceBucketSize = "reduce_bucket_size"
            case allgatherBucketSize = "allgather_bucket_size"
        }

        /// Decodes and validates the options.
        /// - Throws: ``ConfigurationError`` `.missingKey` without `stage`; `.outOfRange` for a stage other than 1, 2
        ///   or 3, or a bucket size that is not a whole number of elements ≥ 1; `.unknownKey` for any other key; or
        ///   the decoder's own error (`.wrongType`).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try Self.rejectUnknownKeys(in: decoder)
            guard let stageNumber = try container.decodeIfPresent(Int.self, forKey: .stage) else {
                throw ConfigurationError(
                    .missingKey, keyPath: "dist_config.stage",
                    "zero needs a stage: 1 (optimizer state), 2 (+ gradients) or 3 (+ parameters)")
            }
            guard let stage = ZeROStage(rawValue: stageNumber) else {
                throw ConfigurationError(
                    .outOfRange, keyPath: "dist_config.stage",
                    "stage must be 1, 2 or 3, found \(stageNumber)"
                        + (stageNumber == 0 ? " (DeepSpeed's stage 0 is plain data parallelism: use name: ddp)" : ""))
            }
            self.stage = stage
            reduceBucketSize = try Self.bucketSize(container, .reduceBucketSize)
            allgatherBucketSize = try Self.bucketSize(container, .allgatherBucketSize)
        }

        // MARK: - Private helpers

        /// The keys `dist_config` carries for Cairn itself, never this type's business.
        private static let reservedKeys: Set<String> = ["name", "world_size"]

        /// A key that names anything.
        private struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// Rejects keys that are neither options nor reserved, for decoders that do not check keys themselves
        /// (Cairn's YAML decoder already has, with a "did you mean").
        private static func rejectUnknownKeys(in decoder: any Decoder) throws {
            let known = Set(CodingKeys.allCases.map(\.stringValue)).union(reservedKeys)
            let keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            if let unknown = keys.filter({ !known.contains($0) }).sorted().first {
                throw ConfigurationError(
                    .unknownKey, keyPath: "dist_config.\(unknown)",
                    "zero has no option '\(unknown)'; its options are "
                        + CodingKeys.allCases.map(\.stringValue).joined(separator: ", "))
            }
        }

        /// A bucket size: a number of elements, written as an integer or in DeepSpeed's `5e8` style.
        private static func bucketSize(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int {
            guard let value = try container.decodeIfPresent(Double.self, forKey: key) else { return defaultBucketSize }
            guard value.isFinite, value >= 1, value.rounded() == value, value < 0x1p53 else {
                throw ConfigurationError(
                    .outOfRange, keyPath: "dist_config.\(key.stringValue)",
                    "\(key.stringValue) must be a whole number of elements from 1 to 2^53, found \(value)")
            }
            return Int(value)
        }
    }
}
