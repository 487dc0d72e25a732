// MARK: - Causal grouped-query attention

/// Causal scaled-dot-product attention with grouped-query heads, as Hugging Face's eager attention with a
/// causal mask: O = softmax(scale · Q Kᵀ + causal mask) V per (batch, head), softmax in float32.
///
/// Query head h reads key/value head h / (Hq / Hkv). The kernel works straight on the `[B, T, H, D]` layout: each
/// head is a strided matrix (leading dimension H · D) handed to sgemm, so no transposed copies are made.
///
/// The keys may be longer than the queries (generation with a key/value cache): the Tq queries are then the last
/// Tq positions of the Tk keys, and query t attends to keys `0...t + (Tk − Tq)`.
///
/// - Parameters:
///   - query: `[B, Tq, Hq, D]`.
///   - key: `[B, Tk, Hkv, D]` with Tk ≥ Tq and Hq a multiple of Hkv.
///   - value: `[B, Tk, Hkv, D]`.
///   - scale: The factor on the scores, usually 1/√D.
/// - Returns: `[B, Tq, Hq, D]`.
///
/// While recording, the probabilities P (`[B, Hq, Tq, Tk]`) are saved. Backward per head: dV += Pᵀ dO, dP = dO Vᵀ,
/// dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale · dS K, dK += scale · dSᵀ Q; the heads of one group add into
/// their shared dK and dV in head order.
///
/// - Complexity: O(B · Hq · Tq · Tk · D).
public func causalAttention(query: Tensor, key: Tensor, value: Tensor, scale: Float) -> Tensor {
    return profiled("causalAttention") {
        requireShapes(
            query.shape.count == 4 && key.shape.count == 4 && key.shape == value.shape, "causalAttention",
            "query must be [B, Tq, Hq, D] and key, value [B, Tk, Hkv, D]; "
                + "got \(query.shape), \(key.shape), \(value.shape)")
        let geometry = AttentionGeometry(
            batch: query.shape[0], queryLength: query.shape[1], keyLength: key.shape[1], queryHeads: query.shape[2],
            keyValueHeads: key.shape[2], dimension: query.shape[3])
        requireShapes(
            key.shape[0] == geometry.batch && geometry.keyLength >= geometry.queryLength
                && key.shape[3] == geometry.dimension && geometry.keyValueHeads > 0
                && geometry.queryHeads % geometry.keyValueHeads == 0,
            "causalAttention",
            "key/value \(key.shape) do not match query \(query.shape) (need Tk ≥ Tq and Hq a multiple of Hkv)")
        let output = Tensor.uninitialized(query.shape)
        let tape = Tape.recording(for: query, key, value)
        let probabilities = tape == nil ? nil : Tensor.uninitialized(geometry.probabilityShape)
        AttentionKernels.forward(
            query: query.base, key: key.base, value: value.base, scale: scale, geometry: geometry,
            output: output.base, probabilities: probabilities?.base)
        guard let tape, let probabilities else { return output }
        tape.record(output: output, name: "causalAttention") { outputGradient, gradients in
            let queryGradient = gradients.needsGradient(query) ? Tensor.uninitialized(query.shape) : nil
            let keyGradient = gradients.needsGradient(key) ? Tensor.uninitialized(key.shape) : nil
            let valueGradient = gradients.needsGradient(value) ? Tensor.uninitialized(value.shape) : nil
            AttentionKernels.backward(
                query: query.base, key: key.base, value: value.base, scale: scale, geometry: geometry,
                probabilities: probabilities.base, outputGradient: outputGradient.base,
                queryGradient: queryGradient?.base, keyGradient: keyGradient?.base, valueGradient: valueGradient?.base)
            if let queryGradient { gradients.accumulate(queryGradient, into: query) }
            if let keyGradient { gradients.accumulate(keyGradient, into: key) }
            if let valueGradient { gradients.accumulate(valueGradient, into: value) }
        }
        return output
    }
}

/// The sizes and strides of one attention call.
struct AttentionGeometry {
    let batch: Int
    /// Tq.
    let queryLength: Int
    /// Tk ≥ Tq; query t sits at position t + ``positionOffset``.
    let keyLength: Int
    let queryHeads: Int
    let keyValueHeads: Int
    let dimension: Int

    /// Tk − Tq: how many cached keys precede the first query.
    var positionOffset: Int { keyLength - queryLength }
    /// Query heads per key/value head.
    var groupSize: Int { queryHeads / keyValueHeads }
    /// The distance between consecutive tokens of one query head (its leading dimension).
    var queryStride: Int { queryHeads * dimension }
    /// The distance between consecutive tokens of one key/value head.
    var keyValueStride: Int { keyValueHeads * dimension }
    /// `[B, Hq, Tq, Tk]`.
    var probabilityShape: [Int] { [batch, queryHeads, queryLength, keyLength] }

    /// The offset of query head `head` of batch row `b` in a `[B, Tq, Hq, D]` tensor.
    func queryOffset(batch b: Int, head: Int) -> Int {
        (b * queryLength * queryHeads + head) * dimension
    }

    /// The offset of key/value head `head` of batch row `b` in a `[B, Tk, Hkv, D]` tensor.
    func keyValueOffset(batch b: Int, head: Int) -> Int {
        (b * keyLength * keyValueHeads + head) * dimension
    }

    /// The offset of the Tq × Tk probability matrix of (b, h).
    func probabilityOffset(batch b: Int, head: Int) -> Int {
        (b * queryHeads + head) * queryLength * keyLength
    }
}
