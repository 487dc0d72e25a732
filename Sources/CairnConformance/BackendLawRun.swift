import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One ``CheckpointBackendConformance`` law checked on one backend.
struct BackendLawRun {
    typealias Law = CheckpointBackendConformance.Law
    let law: Law
    let backend: any CheckpointBackend
    private(set) var failures: [CheckpointBackendConformance.Failure] = []

    init(law: Law, backend: any CheckpointBackend) {
        self.law = law
        self.backend = backend
    }

    mutating func check() async throws {
        switch law {
        case .uncommittedIsInvisible: try await uncommittedIsInvisible()
        case .readReturnsWrite: try await readReturnsWrite()
        case .deleteIsIdempotent: try await deleteIsIdempotent()
        case .commitIsAtomic: try await commitIsAtomic()
        case .tornWriteNeverResumed: try await tornWriteNeverResumed()
        }
    }

    // MARK: - Laws

    private mutating func uncommittedIsInvisible() async throws {
        let pending = CheckpointID(step: 10)
        try await writeRanks(of: pending, ranks: 2)
        try await expectCommitted(pending, false, "after its files are written")
        let other = CheckpointID(step: 5)
        try await writeRanks(of: other, ranks: 1)
        try await backend.commit(other, manifest: Self.manifest(other))
        try await expectCommitted(pending, false, "after another checkpoint commits")
        try await expectCommitted(other, true, "after its commit")
        try await backend.commit(pending, manifest: Self.manifest(pending))
        try await expectCommitted(pending, true, "after its commit")
    }

    private mutating func readReturnsWrite() async throws {
        let id = CheckpointID(step: 3)
        let files = try await writeRanks(of: id, ranks: 3)
        try await expectContents(files, of: id, when: "before commit")
        try await backend.commit(id, manifest: Self.manifest(id))
        try await expectContents(files, of: id, when: "after commit")
        try await expectBytes("manifest.json", of: id, equal: Self.manifest(id), when: "after commit")
    }

    private mutating func deleteIsIdempotent() async throws {
        try await backend.delete(CheckpointID(step: 99))
        try await backend.delete(CheckpointID(step: 99))
        let committed = CheckpointID(step: 1)
        let uncommitted = CheckpointID(step: 2)
        try await writeRanks(of: committed, ranks: 2)
        try await backend.commit(committed, manifest: Self.manifest(committed))
        try await writeRanks(of: uncommitted, ranks: 2)
        for id in [committed, uncommitted] {
            try await backend.delete(id)
            try await backend.delete(id)
            if try await backend.list().contains(where: { $0.id == id }) {
                fail(id, expected: "no listing after delete", actual: "it is still listed")
            }
            if (try? await backend.read("ranks/rank-00000.json", of: id, range: nil)) != nil {
                fail(id, path: "ranks/rank-00000.json", expected: "a read after delete throws", actual: "it returned bytes")
            }
        }
    }

    private mutating func commitIsAtomic() async throws {
        let id = CheckpointID(step: 7)
        try await writeRanks(of: id, ranks: 2)
        try await backend.commit(id, manifest: Self.manifest(id))
        try await expectCommitted(id, true, "after its commit")
        // The same step saved again, by one rank with other contents: the new version replaces the old whole.
        let replacement = try await writeRanks(of: id, ranks: 1, salt: 9)
        try await backend.commit(id, manifest: Self.manifest(id, salt: 9))
        try await expectCommitted(id, true, "after it is committed again")
        try await expectContents(replacement, of: id, when: "after it is committed again")
        try await expectBytes("manifest.json", of: id, equal: Self.manifest(id, salt: 9), when: "after it is committed again")
        if (try? await backend.read(Self.path(rank: 1, index: 0), of: id, range: nil)) != nil {
            fail(id, path: Self.path(rank: 1, index: 0), expected: "files of the replaced version gone", actual: "it is still readable")
        }
        if try await backend.list().filter({ $0.id == id }).count != 1 {
            fail(id, expected: "one listing after a replacing commit", actual: "\(try await backend.list().filter { $0.id == id })")
        }
    }

    private mutating func tornWriteNeverResumed() async throws {
        let good = CheckpointID(step: 4)
        try await writeRanks(of: good, ranks: 2)
        try await backend.commit(good, manifest: Self.manifest(good))
        // Two later saves that died: one wrote some of its files, the other all of them but never committed.
        let partial = CheckpointID(step: 6)
        try await backend.write(Self.file(Self.path(rank: 0, index: 0), Self.contents(rank: 0, index: 0, salt: 0)), to: partial)
        let unfinished = CheckpointID(step: 8)
        try await writeRanks(of: unfinished, ranks: 2)
        let newestCommitted = try await backend.list().filter(\.isCommitted).map(\.id).max()
        if newestCommitted != good {
            fail(good, expected: "checkpoint-4 as the newest committed checkpoint",
                 actual: newestCommitted.map(\.name) ?? "none committed")
        }
        for id in [partial, unfinished] { try await expectCommitted(id, false, "after a write that never committed") }
        let steps = try await backend.list().map(\.id.step)
        if steps != steps.sorted() { fail(nil, expected: "listings in ascending step order", actual: "\(steps)") }
    }

    // MARK: - Helpers

    private mutating func fail(_ id: CheckpointID?, path: String? = nil, expected: String, actual: String) {
        failures.append(.init(law: law, checkpoint: id, path: path, expected: expected, actual: actual))
    }

    private mutating func expectCommitted(_ id: CheckpointID, _ committed: Bool, _ when: String) async throws {
        let listings = try await backend.list().filter { $0.id == id }
        let isCommitted = listings.contains(where: \.isCommitted)
        if isCommitted != committed {
            fail(id, expected: committed ? "listed as committed \(when)" : "not listed as committed \(when)",
                 actual: "listings \(listings.map { "\($0.location) committed: \($0.isCommitted)" })")
        }
    }

    private mutating func expectContents(_ files: [String: [UInt8]], of id: CheckpointID, when: String) async throws {
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            try await expectBytes(path, of: id, equal: bytes, when: when)
            for range in [0..<0, 0..<min(1, bytes.count), bytes.count / 3..<bytes.count / 2, bytes.count / 2..<bytes.count] {
                let part = try await backend.read(path, of: id, range: range)
                if !Self.equal(part, bytes[range]) {
                    fail(id, path: path, expected: "bytes \(range) as written (\(when))", actual: "other bytes (\(part.byteCount))")
                }
            }
        }
    }

    private mutating func expectBytes(_ path: String, of id: CheckpointID, equal bytes: [UInt8], when: String) async throws {
        let read = try await backend.read(path, of: id, range: nil)
        if !Self.equal(read, bytes[...]) {
            fail(id, path: path, expected: "the \(bytes.count) bytes written (\(when))", actual: "\(read.byteCount) other bytes")
        }
    }

    /// Writes `ranks` ranks' files concurrently and returns every path with its contents.
    @discardableResult
    private func writeRanks(of id: CheckpointID, ranks: Int, salt: Int = 0) async throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for rank in 0..<ranks {
            for index in 0..<Self.filesPerRank { files[Self.path(rank: rank, index: index)] = Self.contents(rank: rank, index: index, salt: salt) }
        }
        let backend = backend
        let written = files
        try await withThrowingTaskGroup(of: Void.self) { group in
            for rank in 0..<ranks {
                group.addTask {
                    for index in 0..<Self.filesPerRank {
                        let path = Self.path(rank: rank, index: index)
                        try await backend.write(Self.file(path, written[path]!), to: id)
                    }
                }
            }
            try await group.waitForAll()
        }
        return files
    }

    static let filesPerRank = 4

    static func path(rank: Int, index: Int) -> String {
        index == 0 ? "ranks/rank-0000\(rank).json" : "data/shard-\(rank)/part-\(index).bin"
    }

    /// Awkward sizes: 97 bytes, empty, 3 MiB + 5, 4097; pseudo-random bytes that differ by rank, file and salt.
    static func contents(rank: Int, index: Int, salt: Int) -> [UInt8] {
        let size = [97, 0, 3 << 20 + 5, 4097][index]
        var state = UInt64(rank * 1_000 + index * 10 + salt + 1) &* 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: (size + 7) / 8 * 8)
        bytes.withUnsafeMutableBytes { raw in
            for word in 0..<raw.count / 8 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                raw.storeBytes(of: state, toByteOffset: word * 8, as: UInt64.self)
            }
        }
        bytes.removeLast(bytes.count - size)
        return bytes
    }

    /// The file as several parts, one of them empty, so backends must concatenate parts.
    static func file(_ path: String, _ bytes: [UInt8]) -> CheckpointFile {
        let cut = bytes.count / 3
        return CheckpointFile(
            path: path,
            parts: [HostBuffer(copying: Array(bytes[..<cut])), HostBuffer(zeroedByteCount: 0), HostBuffer(copying: Array(bytes[cut...]))])
    }

    static func manifest(_ id: CheckpointID, salt: Int = 0) -> [UInt8] {
        Array("{\"conformance\": \"\(id.name)\", \"salt\": \(salt)}\n".utf8)
    }

    /// Whether `buffer` holds exactly `bytes` (compared with `memcmp`: these files are megabytes).
    static func equal(_ buffer: HostBuffer, _ bytes: ArraySlice<UInt8>) -> Bool {
        guard buffer.byteCount == bytes.count else { return false }
        guard !bytes.isEmpty else { return true }
        return buffer.withExtendedLifetimeBytes { read in
            bytes.withUnsafeBytes { expected in memcmp(read.baseAddress!, expected.baseAddress!, bytes.count) == 0 }
        }
    }
}
