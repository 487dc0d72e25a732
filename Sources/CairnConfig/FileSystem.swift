import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file-system questions configuration loading asks, answered with POSIX calls.
enum FileSystem {
    /// What is at a path.
    enum EntryKind: Equatable {
        case missing, file, directory, other
    }

    /// What `path` names (following symbolic links).
    static func kind(of path: String) -> EntryKind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The whole file at `path`.
    /// - Throws: ``ConfigurationError`` `.missingFile` naming the path and the system's reason.
    static func readFile(_ path: String) throws(ConfigurationError) -> [UInt8] {
        guard kind(of: path) != .directory else {
            throw ConfigurationError(.missingFile, keyPath: nil, "'\(path)' is a directory, not a YAML file")
        }
        guard let handle = fopen(path, "rb") else {
            throw ConfigurationError(.missingFile, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count {
                guard ferror(handle) == 0 else {
                    throw ConfigurationError(.missingFile, "cannot read '\(path)': read error")
                }
                return bytes
            }
        }
    }

    /// The folder part of `path` (`.` for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` resolved against `directory` unless it is absolute.
    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") || directory == "." { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}

extension FileSystem {
    /// The process's current directory, or `.` if it cannot be read.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
