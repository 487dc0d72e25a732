import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the module needs, each returning a ``SafetensorsError`` instead of an errno.
enum FileIO {
    /// Writes `parts` in order to `path` (created or truncated, mode 0644), fsyncs and closes it; removes the
    /// partial file on failure.
    /// A file written sequentially, synced and closed by ``finish()``, removed by ``abandon()``.
    final class StreamingFile {
        let path: String
        private var descriptor: Int32

        init(creating path: String) throws(SafetensorsError) {
            self.path = path
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw failure(path, "cannot create the file") }
        }

        func append(_ buffer: HostBuffer) throws(SafetensorsError) {
            try writeAll(buffer.bytes, to: descriptor, path: path)
        }

        func finish() throws(SafetensorsError) {
            guard fsync(descriptor) == 0 else { throw failure(path, "cannot sync the file") }
            let status = close(descriptor)
            descriptor = -1
            guard status == 0 else { throw failure(path, "cannot close the file") }
        }

        func abandon() {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            unlink(path)
        }
    }

    static func writeDurably(_ parts: [HostBuffer], to path: String) throws(SafetensorsError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, "cannot create the file") }
        do throws(SafetensorsError) {
            for part in parts {
                try writeAll(part.bytes, to: descriptor, path: path)
            }
            guard fsync(descriptor) == 0 else { throw failure(path, "cannot sync the file") }
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        guard close(descriptor) == 0 else {
            let error = failure(path, "cannot close the file")
            unlink(path)
            throw error
        }
    }

    private static func writeAll(
        _ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String
    ) throws(SafetensorsError) {
        var written = 0
        while written < bytes.count {
            let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot write the file")
            }
            written += result
        }
    }

    /// Reads a whole regular file of at most `limit` bytes.
    static func readFile(_ path: String, limit: Int) throws(SafetensorsError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, "cannot open the file") }
        defer { close(descriptor) }
        let size = try regularFileSize(descriptor, path: path)
        guard size <= limit else {
            throw SafetensorsError(.malformedIndex, path: path, "the file has \(size) bytes; at most \(limit) accepted")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let result = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, size - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read the file")
            }
            if result == 0 { throw SafetensorsError(.io, path: path, "the file shrank while being read") }
            filled += result
        }
        return bytes
    }

    /// The size of the open file, which must be a regular file.
    static func regularFileSize(_ descriptor: Int32, path: String) throws(SafetensorsError) -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, "cannot stat the file") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError(.io, path: path, "not a regular file")
        }
        return Int(status.st_size)
    }

    /// Whether `path` names a regular file (following symbolic links).
    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// An error for the current `errno`: `fileNotFound` for ENOENT/ENOTDIR, `io` otherwise.
    static func failure(_ path: String, _ what: String) -> SafetensorsError {
        let number = errno
        let reason = String(cString: strerror(number))
        let code: SafetensorsError.Code = (number == ENOENT || number == ENOTDIR) ? .fileNotFound : .io
        return SafetensorsError(code, path: path, "\(what): \(reason) (errno \(number))")
    }
}
