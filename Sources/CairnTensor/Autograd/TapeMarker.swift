/// A point the model marks on the tape around each parameter unit (a decoder layer, the embeddings).
///
/// The backward walk reaches markers in reverse: `unitEnd(i)` just before unit `i`'s backward work (a sharded
/// strategy gathers the unit's parameters there) and `unitBegin(i)` just after it (its gradients are complete and
/// can be reduced).
public enum TapeMarker: Hashable, Sendable {
    /// The forward pass is about to use unit `index`.
    case unitBegin(Int)
    /// The forward pass is done with unit `index`.
    case unitEnd(Int)
}
