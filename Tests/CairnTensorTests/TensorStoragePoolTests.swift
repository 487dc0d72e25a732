import CairnCore
import CairnTensor
import Testing

@Suite struct TensorStoragePoolTests {
    @Test func sizeClassesRoundUpByAtMostAQuarter() {
        #expect(TensorStoragePool.sizeClass(for: 1 << 20) == 1 << 20)
        #expect(TensorStoragePool.sizeClass(for: (1 << 20) + 1) == (1 << 20) + (1 << 18))
        #expect(TensorStoragePool.sizeClass(for: 3 << 19) == 3 << 19)
        for byteCount in stride(from: 200_000, to: 5_000_000, by: 123_457) {
            let capacity = TensorStoragePool.sizeClass(for: byteCount)
            #expect(capacity >= byteCount && Double(capacity) <= Double(byteCount) * 1.25 + 1)
        }
    }

    @Test func freedBlocksAreReusedAndAligned() {
        let pool = TensorStoragePool(maximumCachedByteCount: 64 << 20)
        var address: UnsafeMutableRawPointer?
        do {
            let buffer = pool.makeBuffer(byteCount: 3 << 20)
            #expect(buffer.byteCount == 3 << 20)
            #expect(Int(bitPattern: buffer.baseAddress) % HostBuffer.alignment == 0)
            address = buffer.baseAddress
        }
        #expect(pool.cachedByteCount == TensorStoragePool.sizeClass(for: 3 << 20))
        let again = pool.makeBuffer(byteCount: (3 << 20) - 1000)  // same size class
        #expect(again.baseAddress == address)
        #expect(pool.statistics.reusedBlocks == 1 && pool.statistics.newBlocks == 1)
        #expect(pool.cachedByteCount == 0)
    }

    @Test func smallRequestsAndFullCachesBypassThePool() {
        let pool = TensorStoragePool(maximumCachedByteCount: 1 << 20)
        _ = pool.makeBuffer(byteCount: 1000)
        #expect(pool.statistics.newBlocks == 0)
        _ = pool.makeBuffer(byteCount: 4 << 20)  // larger than the cache limit: freed, not kept
        #expect(pool.cachedByteCount == 0)
        _ = pool.makeBuffer(byteCount: 512 << 10)
        #expect(pool.cachedByteCount == 512 << 10)
        pool.trim()
        #expect(pool.cachedByteCount == 0)
    }
}
