public import CairnCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process-wide cache of large, aligned memory blocks that tensors reuse from one training step to the next.
///
/// A fresh allocation of more than a few hundred kilobytes comes from `mmap`, and its first touch page-faults
/// slowly (about 0.3 GB/s on the machines Cairn is measured on); glibc returns such blocks to the kernel on free,
/// so every step would pay again for every activation and gradient (measured on the small-model training step:
/// 17 000–36 000 page faults, 0.1–0.2 s of system time and about 5 % of the step without the pool; a few dozen
/// faults after the first step with it). The pool keeps freed blocks by size class and hands them out again.
/// (Advising the blocks as transparent huge pages was measured too: no faster per step, ~1 s slower on the first.)
///
/// Size classes are powers of two split in four (1, 1.25, 1.5, 1.75 × 2ⁿ), so a block serves requests up to 25 %
/// smaller without touching the unused tail. The cache holds at most ``maximumCachedByteCount`` bytes; a block
/// freed beyond that goes back to the system.
///
/// Thread-safe: blocks are taken and returned under a mutex, from any rank's thread.
public final class TensorStoragePool: Sendable {
    /// The pool tensors allocate from.
    public static let shared = TensorStoragePool()

    /// Requests smaller than this go to the system allocator (which already reuses small blocks well).
    public static let minimumPooledByteCount = 128 * 1024

    private let state: Mutex<State>

    private struct State {
        var freeBlocks: [Int: [UInt]] = [:]  // addresses as integers: plain Sendable values
        var cachedByteCount = 0
        var maximumCachedByteCount: Int
        var isEnabled = true
        var statistics = Statistics()
    }

    /// Counters of the pool's work since the process started.
    public struct Statistics: Hashable, Sendable {
        /// Requests served from the cache.
        public var reusedBlocks = 0
        /// Requests that needed a new block from the system.
        public var newBlocks = 0
        /// Bytes of the new blocks.
        public var newByteCount = 0
    }

    /// Creates a pool that caches up to `maximumCachedByteCount` bytes (default: a quarter of physical memory).
    public init(maximumCachedByteCount: Int? = nil) {
        let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        state = Mutex(State(maximumCachedByteCount: maximumCachedByteCount ?? max(physical / 4, 1 << 30)))
    }

    // MARK: - Public API

    /// A buffer of exactly `byteCount` uninitialized bytes, 64-byte aligned, taken from the cache when possible.
    public func makeBuffer(byteCount: Int) -> HostBuffer {
        precondition(byteCount >= 0, "TensorStoragePool: negative byte count \(byteCount)")
        guard byteCount >= Self.minimumPooledByteCount, isEnabled else {
            return HostBuffer(uninitializedByteCount: byteCount)
        }
        let capacity = Self.sizeClass(for: byteCount)
        let reused = state.withLock { state -> UInt? in
            guard let block = state.freeBlocks[capacity]?.popLast() else {
                state.statistics.newBlocks += 1
                state.statistics.newByteCount += capacity
                return nil
            }
            state.cachedByteCount -= capacity
            state.statistics.reusedBlocks += 1
            return block
        }
        let address =
            reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) } ?? Self.allocateBlock(capacity: capacity)
        let block = PooledBlock(address: address, capacity: capacity, pool: self)
        return HostBuffer(view: address, byteCount: byteCount, owner: block)
    }

    /// Whether the pool caches blocks (when `false`, every buffer comes straight from the system allocator).
    public var isEnabled: Bool {
        get { state.withLock { $0.isEnabled } }
        set {
            state.withLock { $0.isEnabled = newValue }
            if !newValue { trim() }
        }
    }

    /// The most bytes the cache keeps; lowering it does not free blocks already cached (see ``trim()``).
    public var maximumCachedByteCount: Int {
        get { state.withLock { $0.maximumCachedByteCount } }
        set { state.withLock { $0.maximumCachedByteCount = max(0, newValue) } }
    }

    /// The bytes held by cached (free) blocks.
    public var cachedByteCount: Int { state.withLock { $0.cachedByteCount } }

    /// Counters since the process started.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Returns every cached block to the system.
    public func trim() {
        let blocks = state.withLock { state -> [UInt] in
            let all = state.freeBlocks.values.flatMap { $0 }
            state.freeBlocks = [:]
            state.cachedByteCount = 0
            return all
        }
        for block in blocks { free(UnsafeMutableRawPointer(bitPattern: block)) }
    }

    /// The capacity of the size class that serves `byteCount`: `byteCount` rounded up to 1, 1.25, 1.5 or 1.75 × 2ⁿ.
    public static func sizeClass(for byteCount: Int) -> Int {
        guard byteCount > 4 else { return max(byteCount, 1) }
        let exponent = Int.bitWidth - 1 - (byteCount - 1).leadingZeroBitCount  // 2^exponent < byteCount ≤ 2^(e+1)
        let quarter = 1 << (exponent - 2)
        return ((byteCount + quarter - 1) / quarter) * quarter
    }

    // MARK: - Blocks

    fileprivate func recycle(address: UnsafeMutableRawPointer, capacity: Int) {
        let key = UInt(bitPattern: address)
        let kept = state.withLock { state -> Bool in
            guard state.isEnabled, state.cachedByteCount + capacity <= state.maximumCachedByteCount else {
                return false
            }
            state.freeBlocks[capacity, default: []].append(key)
            state.cachedByteCount += capacity
            return true
        }
        if !kept { free(address) }
    }

    private static func allocateBlock(capacity: Int) -> UnsafeMutableRawPointer {
        var address: UnsafeMutableRawPointer? = nil
        let status = posix_memalign(&address, HostBuffer.alignment, capacity)
        guard status == 0, let address else {
            preconditionFailure("TensorStoragePool: cannot allocate \(capacity) bytes (posix_memalign: \(status))")
        }
        return address
    }
}

/// Owns one pooled block while a ``HostBuffer`` views it, and gives it back to the pool on deinit.
private final class PooledBlock {
    let address: UnsafeMutableRawPointer
    let capacity: Int
    let pool: TensorStoragePool

    init(address: UnsafeMutableRawPointer, capacity: Int, pool: TensorStoragePool) {
        self.address = address
        self.capacity = capacity
        self.pool = pool
    }

    deinit { pool.recycle(address: address, capacity: capacity) }
}
