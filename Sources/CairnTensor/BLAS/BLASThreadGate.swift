#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps OpenBLAS's process-wide thread count from changing while a matrix product runs.
///
/// OpenBLAS 0.3.21 has one thread count for the whole process, and a product's bits can depend on it (measured:
/// a 333 × 777 × 555 sgemm differs between 1 and 2 threads, while the power-of-two shapes of the benchmark model
/// do not). Kernels that call sgemm from several threads at once lower the count to 1 for their duration; if
/// another rank's thread ran an ordinary product meanwhile, its result would depend on timing. So ordinary
/// products hold the gate shared, and single-threaded regions and thread-count changes hold it exclusively: they
/// wait for running products to finish and products wait for them. Writers are preferred, so a region is not
/// starved by a stream of products from other ranks.
///
/// `@unchecked Sendable`: the state is a heap-allocated `pthread_rwlock_t`, which is made for concurrent use and
/// never moves.
final class BLASThreadGate: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        let status = pthread_rwlock_init(lock, &attributes)
        precondition(status == 0, "BLASThreadGate: pthread_rwlock_init failed (\(status))")
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` while no exclusive region is open (many shared holders may run at once).
    func withShared<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` while no other holder, shared or exclusive, runs.
    func withExclusive<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
