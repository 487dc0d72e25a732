#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A whole file mapped into memory, unmapped when the last reference (including every view) goes away.
///
/// `@unchecked Sendable`: the base address and size never change after `init`, and the mapping itself is either
/// read-only or private copy-on-write, so sharing the object between tasks shares no mutable Swift state; what
/// views do with the bytes is governed by `HostBuffer`'s rule.
final class MemoryMappedFile: @unchecked Sendable {
    /// The first mapped byte.
    let baseAddress: UnsafeMutableRawPointer
    /// The file's size when it was mapped.
    let byteCount: Int

    /// Maps the regular file at `path`; `writable` maps it private copy-on-write instead of read-only.
    /// - Throws: ``SafetensorsError`` with code `fileNotFound`, `io` or `truncated` (an empty file).
    init(path: String, writable: Bool) throws(SafetensorsError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileIO.failure(path, "cannot open the file") }
        defer { close(descriptor) }
        let size = try FileIO.regularFileSize(descriptor, path: path)
        guard size >= 8 else {
            throw SafetensorsError(
                .truncated, path: path, "the file has \(size) bytes, fewer than the 8-byte header length prefix")
        }
        let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
        let address = mmap(nil, size, protection, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw FileIO.failure(path, "cannot map the file") }
        self.baseAddress = address
        self.byteCount = size
    }

    deinit {
        munmap(baseAddress, byteCount)
    }

    /// The mapped bytes.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: baseAddress, count: byteCount) }
}
