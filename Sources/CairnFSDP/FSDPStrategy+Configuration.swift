import CairnCore

extension FSDPStrategy {
    /// The options under `dist_config` (besides `name` and `world_size`, which Cairn reads itself).
    public struct Configuration: Decodable, Sendable, Hashable {
        /// Whether a unit's gathered parameters are freed after its forward use and gathered again for backward
        /// (`true`, the default, as PyTorch FSDP2), or stay resident from forward until their backward is done
        /// (`false`: one all-gather fewer per unit and micro-step, every unit resident at the end of forward).
        public var reshardAfterForward: Bool

        /// Creates options.
        public init(reshardAfterForward: Bool = true) {
            self.reshardAfterForward = reshardAfterForward
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case reshardAfterForward = "reshard_after_forward"
        }

        /// Decodes the options; every key must be known.
        /// - Throws: ``ConfigurationError`` `.unknownKey` naming the first unknown key; the decoder's error for a
        ///   value that is not a Boolean.
        public init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: AnyOptionKey.self).allKeys.map(\.stringValue)
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = keys.filter({ !known.contains($0) && !Self.sectionKeys.contains($0) }).sorted().first {
                throw ConfigurationError(
                    .unknownKey, keyPath: "dist_config.\(unknown)",
                    "fsdp2 has no option '\(unknown)'; its options are: \(known.sorted().joined(separator: ", "))")
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            reshardAfterForward = try container.decodeIfPresent(Bool.self, forKey: .reshardAfterForward) ?? true
        }

        /// The keys of `dist_config` that Cairn reads itself and a decoder may still show.
        private static let sectionKeys: Set<String> = ["name", "world_size"]

        /// Any key, to list what the section holds.
        private struct AnyOptionKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }
}
