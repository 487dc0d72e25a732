import CairnCore
import CairnZeRO
import Testing

/// What each stage keeps resident on 4 ranks over one training step of a tiny Qwen3 (hidden 64, 4 layers, vocabulary
/// 64: 254,656 parameters, 16 B each for `single` with AdamW), measured by ``ZeRORuntime``'s ``MemoryAccounting``
/// plus the optimizer's state bytes.
@Suite(.serialized) struct ZeROMemoryTests {
    /// Collective round buffers of at most 4,096 elements, so they stay small next to a decoder layer.
    static let smallBuckets = 4096

    /// The bound for stage 3 on 4 ranks: parameters + gradients + optimizer state per rank at most
    /// `single / 4 + one decoder layer's parameters and gradients`.
    ///
    /// The embedding and the head are units of their own (gathered only around the lookup and the logits), so at
    /// the peak — a decoder layer's backward — a rank holds its partitions and that one layer. The ledger also
    /// counts the collective round buffer (the scratch of one bucket, neither parameter, gradient nor optimizer
    /// state), which is allowed on top.
    @Test func stageThreeHoldsAQuarterOfSinglePlusOneLayer() async throws {
        let sizes = TinyQwen3Step.Sizes()
        let worldSize = 4
        let measured = try await TinyQwen3Step.run(
            .init(stage: .parameters, reduceBucketSize: Self.smallBuckets, allgatherBucketSize: Self.smallBuckets),
            worldSize: worldSize)
        let bound = sizes.single / worldSize + sizes.decoderLayer
        let roundBuffer = (worldSize + 1) * max(1, Self.smallBuckets / worldSize) * MemoryLayout<Float>.stride
        for (rank, rankMeasurement) in measured.enumerated() {
            let total = rankMeasurement.peakBytes + rankMeasurement.optimizerStateBytes
            print("zero-3 memory, rank \(rank): \(rankMeasurement.peakBytes) B peak params+grads (with a \(roundBuffer) B "
                  + "round buffer) + \(rankMeasurement.optimizerStateBytes) B AdamW; single \(sizes.single) B, "
                  + "one layer params+grads \(sizes.decoderLayer) B, bound \(bound) B")
            #expect(total - roundBuffer <= bound, "rank \(rank): \(total) B with the round buffer, against \(bound) B")
            // Not vacuous: the peak holds a gathered layer on top of the partitions.
            #expect(total >= sizes.single / worldSize + sizes.decoderLayer / 2)
        }
    }

    /// Each stage partitions more, so holds less at its peak: stage 1 whole values and gradients, stage 2 whole
    /// values and a gradient partition, stage 3 partitions; the optimizer state is a quarter at every stage.
    @Test func eachStageHoldsLessThanTheOneBefore() async throws {
        let sizes = TinyQwen3Step.Sizes()
        var peaks: [Int] = []
        var losses: [[Double]] = []
        for stage in ZeROStage.allCases {
            let measured = try await TinyQwen3Step.run(
                .init(stage: stage, reduceBucketSize: Self.smallBuckets, allgatherBucketSize: Self.smallBuckets),
                worldSize: 4)
            peaks.append(measured.map(\.peakBytes).max() ?? 0)
            losses.append(measured.map(\.loss))
            for rankMeasurement in measured {
                #expect(rankMeasurement.optimizerStateBytes * 4 <= sizes.single / 2 + 64,
                        "\(stage): AdamW's two moments on a quarter of the parameters")
            }
        }
        #expect(peaks[0] > peaks[1] && peaks[1] > peaks[2], "peaks \(peaks)")
        // The whole model's values and gradients at stage 1; values and a quarter of the gradients at stage 2.
        #expect(peaks[0] >= sizes.single / 2)
        #expect(peaks[1] < sizes.single / 4 + sizes.single / 16 + sizes.decoderLayer + sizes.rootUnit)
        // The forward pass is the same computation at every stage.
        #expect(losses[0] == losses[1] && losses[1] == losses[2])
    }

    /// DeepSpeed's default buckets hold a whole padded unit per round; smaller buckets shrink the peak.
    @Test func smallerBucketsLowerThePeak() async throws {
        let large = try await TinyQwen3Step.run(.init(stage: .parameters), worldSize: 4)
        let small = try await TinyQwen3Step.run(
            .init(stage: .parameters, reduceBucketSize: Self.smallBuckets, allgatherBucketSize: Self.smallBuckets),
            worldSize: 4)
        for (largeRank, smallRank) in zip(large, small) {
            #expect(smallRank.peakBytes < largeRank.peakBytes)
            #expect(smallRank.loss == largeRank.loss)
        }
    }
}
