import CairnCore
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private, copy-on-write memory mapping of part of a file, unmapped when the last view of it goes away.
///
/// Large checkpoint reads map the file instead of copying it into fresh memory: the kernel reads straight into
/// the page cache and maps those pages (`POSIX_FADV_WILLNEED`, then `MADV_POPULATE_READ`), which on this machine
/// loads at the disk's raw read speed, where `pread` into a new buffer (whose first touch costs page faults of
/// its own) or `MAP_POPULATE` reach about two thirds of it. Writing through a view copies the page, so callers
/// may treat the bytes as their own; the file never changes.
///
/// > Important: like any file mapping, touching a page beyond a file that someone truncates afterwards raises
/// > SIGBUS. Checkpoint files are never rewritten in place, so this does not happen to them.
final class MappedFileRegion: @unchecked Sendable {
    // @unchecked: the mapping is immutable after init and only freed in deinit; views hand out raw pointers
    // under HostBuffer's own sharing rule.
    private let mapping: UnsafeMutableRawPointer
    private let mappingLength: Int

    /// The requested bytes inside the mapping.
    let bytes: UnsafeMutableRawBufferPointer

    /// Maps `range` of the open file with every page resident, or returns `nil` on kernels that cannot populate
    /// a mapping for reading (before 5.14), where the caller reads with `pread` instead.
    /// - Throws: ``CheckpointError`` `.io` when the mapping fails or the pages cannot be read (a disk error is
    ///   reported here, never as a SIGBUS later).
    static func map(_ descriptor: FileDescriptor, range: Range<Int>, path: String) throws(CheckpointError) -> MappedFileRegion? {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        let length = range.upperBound - start
        // Ask for the whole range at once: the kernel then reads it in large requests instead of growing its
        // readahead window fault by fault.
        _ = posix_fadvise(descriptor.rawValue, off_t(start), off_t(length), POSIX_FADV_WILLNEED)
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor.rawValue, off_t(start))
        guard let address, address != MAP_FAILED else {
            throw FileSystemOperations.failure("cannot map", path, Errno(rawValue: errno))
        }
        // Map every page now, for reading: the page-cache pages themselves, with no copy. (`MAP_POPULATE` on a
        // writable private mapping would copy each page to break copy-on-write, halving load speed.)
        guard madvise(address, length, populateRead) == 0 else {
            let number = errno
            munmap(address, length)
            if number == EINVAL { return nil }
            throw FileSystemOperations.failure("cannot read", path, Errno(rawValue: number))
        }
        return MappedFileRegion(mapping: address, length: length, offset: range.lowerBound - start, count: range.count)
    }

    private init(mapping: UnsafeMutableRawPointer, length: Int, offset: Int, count: Int) {
        self.mapping = mapping
        self.mappingLength = length
        self.bytes = UnsafeMutableRawBufferPointer(start: mapping + offset, count: count)
    }

    deinit {
        munmap(mapping, mappingLength)
    }

    /// Linux's `MADV_POPULATE_READ` (5.14), which the C library module does not define.
    private static let populateRead: Int32 = 22

    /// A buffer that views the requested bytes and keeps the mapping alive.
    func buffer() -> HostBuffer {
        HostBuffer(view: bytes.baseAddress!, byteCount: bytes.count, owner: self)
    }
}
