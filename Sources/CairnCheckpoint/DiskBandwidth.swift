import CairnCore
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The raw sequential bandwidth of the disk under a folder, the yardstick for checkpoint save and load speed
/// (DESIGN.md §10: checkpoint throughput beside the raw bandwidth of the same disk, in the same run).
public enum DiskBandwidth {
    /// One timed transfer.
    public struct Measurement: Sendable, Hashable, CustomStringConvertible {
        /// Bytes moved.
        public var byteCount: Int
        /// Wall-clock seconds.
        public var seconds: Double
        /// Whether a read started from a dropped page cache (`false`: the file may have been cached, "warm").
        public var isCold: Bool

        /// Bytes per second / 10⁹.
        public var gigabytesPerSecond: Double { seconds > 0 ? Double(byteCount) / seconds / 1e9 : 0 }

        public var description: String {
            let rate = (gigabytesPerSecond * 100).rounded() / 100
            return "\(byteCount / 1_000_000) MB in \((seconds * 1000).rounded() / 1000) s = \(rate) GB/s"
        }
    }

    /// The size of each write or read: large, so system-call overhead does not count.
    static let chunkByteCount = 64 << 20

    /// Writes `bytes` to a fresh file in `folder` sequentially from one reused buffer, fsyncs and closes it: the
    /// time a durable write of that much data takes at best. The file is removed afterwards.
    /// - Throws: ``CheckpointError`` `.io`.
    public static func measureWrite(folder: String, bytes: Int) throws -> Measurement {
        try FileSystemOperations.makeDirectories(folder)
        let path = folder + "/cairn-disk-bandwidth-\(getpid()).bin"
        defer { unlink(path) }
        let chunk = patternedBuffer(byteCount: min(bytes, chunkByteCount))
        let start = monotonicSeconds()
        try writeFile(path, bytes: bytes, chunk: chunk)
        return Measurement(byteCount: bytes, seconds: monotonicSeconds() - start, isCold: true)
    }

    /// Writes a `bytes`-byte file (untimed), optionally drops the page cache, then reads the file sequentially
    /// into one reused buffer: the disk's read bandwidth, cold when `dropCaches` is honoured (it needs root) and
    /// warm otherwise, as ``Measurement/isCold`` says. The file is removed afterwards.
    /// - Throws: ``CheckpointError`` `.io`.
    public static func measureRead(folder: String, bytes: Int, dropCaches: Bool) throws -> Measurement {
        try FileSystemOperations.makeDirectories(folder)
        let path = folder + "/cairn-disk-bandwidth-\(getpid())-read.bin"
        defer { unlink(path) }
        let chunk = patternedBuffer(byteCount: min(bytes, chunkByteCount))
        try writeFile(path, bytes: bytes, chunk: chunk)
        let isCold = dropCaches && dropPageCache()
        let (descriptor, size) = try FileSystemOperations.openForReading(path)
        defer { _ = try? descriptor.close() }
        let start = monotonicSeconds()
        var offset = 0
        while offset < size {
            let count = min(chunk.byteCount, size - offset)
            try FileSystemOperations.readAll(
                descriptor, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: chunk.mutableBytes[0..<count]), path: path)
            offset += count
        }
        return Measurement(byteCount: size, seconds: monotonicSeconds() - start, isCold: isCold)
    }

    /// Flushes dirty pages and asks the kernel to drop the page cache (`echo 3 > /proc/sys/vm/drop_caches`);
    /// `false` when that is not permitted (not root, or not Linux).
    @discardableResult
    public static func dropPageCache() -> Bool {
        sync()
        let descriptor = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "3", 1) == 1
    }

    /// Seconds on the monotonic clock.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    // MARK: - Private helpers

    private static func writeFile(_ path: String, bytes: Int, chunk: HostBuffer) throws(CheckpointError) {
        var remaining = bytes
        var parts: [HostBuffer] = []
        while remaining > 0 {
            let count = min(remaining, chunk.byteCount)
            parts.append(count == chunk.byteCount ? chunk : chunk.slice(0..<count))
            remaining -= count
        }
        try FileSystemOperations.writeDurably(parts, to: path)
    }

    /// A buffer of pseudo-random bytes (no zero pages, nothing a file system could compress), touched once.
    private static func patternedBuffer(byteCount: Int) -> HostBuffer {
        let buffer = HostBuffer(uninitializedByteCount: byteCount)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let words = buffer.mutableBytes
        var offset = 0
        while offset + 8 <= byteCount {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words.storeBytes(of: state, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < byteCount {
            words[offset] = 0x5A
            offset += 1
        }
        return buffer
    }
}
