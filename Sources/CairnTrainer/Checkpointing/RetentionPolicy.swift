public import CairnCore

/// Which committed checkpoints to delete (DESIGN.md §8): keep the `save_total_limit` newest **by save time**, and
/// every checkpoint whose step is a multiple of `save_keep_every`, and never the checkpoint the run resumed from
/// until a newer one has been committed.
public struct RetentionPolicy: Sendable, Hashable {
    /// How many committed checkpoints to keep; `nil` keeps all.
    public var totalLimit: Int?
    /// Additionally keep steps that are multiples of this.
    public var keepEvery: Int?

    /// Creates a policy; a limit below 1 is a configuration error caught before this point.
    public init(totalLimit: Int?, keepEvery: Int?) {
        precondition(totalLimit.map { $0 >= 1 } ?? true, "RetentionPolicy: save_total_limit \(totalLimit!) < 1")
        self.totalLimit = totalLimit
        self.keepEvery = keepEvery
    }

    /// The committed checkpoints of `listings` to delete, oldest last.
    /// - Parameter protected: a checkpoint never to delete — the one the run resumed from, until the run has
    ///   committed a newer one (the caller stops protecting it then).
    public func checkpointsToDelete(_ listings: [CheckpointListing], protected: CheckpointID?) -> [CheckpointID] {
        guard let totalLimit else { return [] }
        let newestFirst = listings.filter(\.isCommitted).sorted {
            ($0.savedAt, $0.id.step) > ($1.savedAt, $1.id.step)
        }
        return newestFirst.dropFirst(totalLimit).compactMap { listing in
            if let keepEvery, listing.id.step % keepEvery == 0 { return nil }
            return listing.id == protected ? nil : listing.id
        }
    }
}
