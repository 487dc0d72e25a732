import CairnCore
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX file operations the file-system backend and the disk benchmark need, each failing with a
/// ``CheckpointError`` `.io` that carries the `Errno` (swift-system covers open, read, write and stat; `fsync`,
/// `rename`, `mkdir`, `unlink`, directory listing and `mmap` come from the C library).
enum FileSystemOperations {
    /// What a path names.
    enum Kind: Equatable {
        case missing
        case directory
        case regularFile
        case other
    }

    // MARK: - Inspecting

    /// What `path` names (without following a final symbolic link), and its modification time.
    static func kind(of path: String) throws(CheckpointError) -> (kind: Kind, modifiedAt: Double) {
        do {
            let status = try FilePath(path).stat(followTargetSymlink: false)
            let time = status.st_mtim
            let seconds = Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
            switch status.type {
            case .directory: return (.directory, seconds)
            case .regular: return (.regularFile, seconds)
            default: return (.other, seconds)
            }
        } catch {
            if error == .noSuchFileOrDirectory || error == .notDirectory { return (.missing, 0) }
            throw failure("cannot inspect", path, error)
        }
    }

    /// The names in the folder at `path` (without `.` and `..`), or `nil` when it does not exist.
    static func entries(of path: String) throws(CheckpointError) -> [String]? {
        guard let directory = opendir(path) else {
            let number = errno
            if number == ENOENT || number == ENOTDIR { return nil }
            throw failure("cannot list", path, Errno(rawValue: number))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    // MARK: - Folders

    /// Creates `path` and any missing parent, tolerating folders that other processes create at the same time.
    static func makeDirectories(_ path: String) throws(CheckpointError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 { continue }
            let number = errno
            guard number == EEXIST else { throw failure("cannot create the folder", prefix, Errno(rawValue: number)) }
            guard try kind(of: prefix).kind == .directory else {
                throw CheckpointError(.io, file: prefix, "exists but is not a folder")
            }
        }
    }

    /// Flushes the entries of the folder at `path` to stable storage.
    static func syncDirectory(_ path: String) throws(CheckpointError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open the folder", path, Errno(rawValue: errno)) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync the folder", path, Errno(rawValue: errno)) }
    }

    /// Flushes every folder in the tree at `path`, deepest first, so every file's name is durable.
    static func syncTree(_ path: String) throws(CheckpointError) {
        for name in try entries(of: path) ?? [] {
            let child = path + "/" + name
            if try kind(of: child).kind == .directory { try syncTree(child) }
        }
        try syncDirectory(path)
    }

    /// Renames `source` to `destination` (atomic on one file system).
    static func rename(_ source: String, to destination: String) throws(CheckpointError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw failure("cannot rename to \(destination)", source, Errno(rawValue: errno))
        }
    }

    /// Removes the file or folder tree at `path` without following symbolic links; a missing path is fine.
    static func removeTree(_ path: String) throws(CheckpointError) {
        switch try kind(of: path).kind {
        case .missing:
            return
        case .directory:
            for name in try entries(of: path) ?? [] { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else {
                throw failure("cannot remove the folder", path, Errno(rawValue: errno))
            }
        case .regularFile, .other:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw failure("cannot remove", path, Errno(rawValue: errno))
            }
        }
    }

    // MARK: - Files

    /// Writes `parts` in order to `path` (created or truncated, mode 0644), flushes it to stable storage and
    /// closes it.
    ///
    /// With `startsWritebackEarly`, every ``writebackChunk`` bytes written are handed to the disk at once
    /// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`, which does not wait), so the disk works while later parts are
    /// still being copied into the page cache, and the final `fsync` has little left to do.
    static func writeDurably(
        _ parts: [HostBuffer], to path: String, startsWritebackEarly: Bool = false
    ) throws(CheckpointError) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .truncate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw failure("cannot create", path, error)
        }
        let startWriteback = startsWritebackEarly ? Self.syncFileRange : nil
        do {
            var offset = 0
            var flushed = 0
            for part in parts where part.byteCount > 0 {
                var start = 0
                while start < part.byteCount {
                    let count = min(writebackChunk, part.byteCount - start)
                    try descriptor.writeAll(
                        toAbsoluteOffset: Int64(offset + start), UnsafeRawBufferPointer(rebasing: part.bytes[start..<start + count]))
                    start += count
                    if let startWriteback, offset + start - flushed >= writebackChunk {
                        _ = startWriteback(descriptor.rawValue, Int64(flushed), Int64(offset + start - flushed), 2)
                        flushed = offset + start
                    }
                }
                offset += part.byteCount
            }
        } catch {
            _ = try? descriptor.close()
            throw failure("cannot write", path, error)
        }
        guard fsync(descriptor.rawValue) == 0 else {
            let number = errno
            _ = try? descriptor.close()
            throw failure("cannot sync", path, Errno(rawValue: number))
        }
        do { try descriptor.close() } catch { throw failure("cannot close", path, error) }
    }

    /// How many bytes are written before their writeback is started.
    static let writebackChunk = 32 << 20

    /// Linux's `sync_file_range(fd, offset, count, flags)`, looked up at run time because the C library module
    /// does not export it to Swift; `nil` where it does not exist. Flag 2 is `SYNC_FILE_RANGE_WRITE`.
    static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(nil, "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()

    /// Opens `relativePath` (already validated) inside `folder` for reading without following any symbolic
    /// link on the way, so a link planted in a checkpoint can never lead a read outside it.
    static func openForReading(_ relativePath: String, inside folder: String) throws(CheckpointError) -> (FileDescriptor, Int) {
        let full = folder + "/" + relativePath
        var directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw openFailure(full, folder, errno) }
        let components = relativePath.split(separator: "/").map(String.init)
        for component in components.dropLast() {
            let next = openat(directory, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let number = errno
            close(directory)
            guard next >= 0 else { throw openFailure(full, component, number) }
            directory = next
        }
        let file = openat(directory, components.last ?? "", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        let number = errno
        close(directory)
        guard file >= 0 else { throw openFailure(full, components.last ?? "", number) }
        let descriptor = FileDescriptor(rawValue: file)
        do {
            let status = try descriptor.stat()
            guard status.type == .regular else {
                _ = try? descriptor.close()
                throw CheckpointError(.io, file: full, "is not a regular file")
            }
            return (descriptor, Int(status.size))
        } catch let error as CheckpointError {
            throw error
        } catch {
            _ = try? descriptor.close()
            throw failure("cannot inspect", full, error)
        }
    }

    /// The error for a failed open of `component` on the way to `path`.
    private static func openFailure(_ path: String, _ component: String, _ number: Int32) -> CheckpointError {
        switch number {
        case ENOENT:
            return CheckpointError(.notFound, file: path, "no such file", cause: Errno(rawValue: number))
        case ELOOP, ENOTDIR:
            return CheckpointError(.unsafePath, file: path, "\(component) is a symbolic link or not a folder; "
                                   + "checkpoint files are read without following links", cause: Errno(rawValue: number))
        default:
            return failure("cannot open", path, Errno(rawValue: number))
        }
    }

    /// Opens the regular file at `path` for reading and returns it with its size.
    static func openForReading(_ path: String) throws(CheckpointError) -> (FileDescriptor, Int) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .noFollow])
        } catch let error as Errno {
            if error == .noSuchFileOrDirectory || error == .notDirectory {
                throw CheckpointError(.notFound, file: path, "no such file", cause: error)
            }
            throw failure("cannot open", path, error)
        } catch {
            throw failure("cannot open", path, error)
        }
        do {
            let status = try descriptor.stat()
            guard status.type == .regular else {
                _ = try? descriptor.close()
                throw CheckpointError(.io, file: path, "is not a regular file")
            }
            return (descriptor, Int(status.size))
        } catch let error as CheckpointError {
            throw error
        } catch {
            _ = try? descriptor.close()
            throw failure("cannot inspect", path, error)
        }
    }

    /// Fills `destination` with the bytes at `offset` of the open file.
    static func readAll(
        _ descriptor: FileDescriptor, at offset: Int, into destination: UnsafeMutableRawBufferPointer, path: String
    ) throws(CheckpointError) {
        var filled = 0
        while filled < destination.count {
            let count: Int
            do {
                count = try descriptor.read(
                    fromAbsoluteOffset: Int64(offset + filled),
                    into: UnsafeMutableRawBufferPointer(rebasing: destination[filled...]))
            } catch {
                throw failure("cannot read", path, error)
            }
            guard count > 0 else { throw CheckpointError(.corrupt, file: path, "the file ended while being read") }
            filled += count
        }
    }

    // MARK: - Errors

    static func failure(_ what: String, _ path: String, _ cause: any Error) -> CheckpointError {
        CheckpointError(.io, file: path, "\(what): \(cause)", cause: cause)
    }
}
