import CairnCore
import CairnEmbedded
import CairnJSON
import Foundation
import Testing

@testable import CairnCheckpoint

/// How many generated cases each hostile-input test runs: a few thousand normally, many more under
/// `CAIRN_STRESS=1`.
private let caseCount = ProcessInfo.processInfo.environment["CAIRN_STRESS"] == "1" ? 40_000 : 2_000

/// Values that break types, ranges and paths.
private let hostileValues: [JSONValue] = [
    -1, 0, 1, 1.5, .number(JSONNumber(text: "1e999")!), .number(JSONNumber(text: "-1e999")!),
    .number(JSONNumber(text: "99999999999999999999999999")!), .integer(Int64.max), .integer(Int64.min),
    .integer(Int.max / 4 + 1), "", "../escape", "/etc/passwd", "a\\b", "a//b", "./x", "x/..", "model/../../x",
    "x\u{0}y", "COMPLETE", "manifest.json", "F32", "Q99", "ranks/rank-00009.json", .string(String(repeating: "z", count: 5000)),
    .null, true, [], [:], [[[]]], [0, 0], [-1, 5], [3, 1], ["a": 1],
]

private struct ManifestMutator {
    var random: PhiloxRandom
    let base: JSONObject

    mutating func pick(_ count: Int) -> Int { Int(random.next32() % UInt32(max(count, 1))) }

    /// A mutated copy of the base manifest (without its self-digest).
    mutating func next() -> JSONValue {
        var value = JSONValue.object(base)
        for _ in 0..<(1 + pick(3)) { value = mutate(value, depth: 0) }
        return value
    }

    private mutating func mutate(_ value: JSONValue, depth: Int) -> JSONValue {
        switch value {
        case .object(var object) where !object.isEmpty:
            switch pick(10) {
            case 0: object[object.keys[pick(object.count)]] = nil
            case 1: object.append(key: "unexpected", value: hostileValues[pick(hostileValues.count)])
            case 2: object[object.keys[pick(object.count)]] = hostileValues[pick(hostileValues.count)]
            default:
                let key = object.keys[pick(object.count)]
                object[key] = mutate(object[key]!, depth: depth + 1)
            }
            return .object(object)
        case .array(var elements) where !elements.isEmpty:
            switch pick(8) {
            case 0: elements.remove(at: pick(elements.count))
            case 1: elements.append(elements[pick(elements.count)])
            case 2: elements.swapAt(pick(elements.count), pick(elements.count))
            case 3: elements[pick(elements.count)] = hostileValues[pick(hostileValues.count)]
            default:
                let index = pick(elements.count)
                elements[index] = mutate(elements[index], depth: depth + 1)
            }
            return .array(elements)
        case .number(let number):
            switch pick(4) {
            case 0: return .integer((number.intValue ?? 0) &+ 1)
            case 1: return .integer((number.intValue ?? 0) &- 1)
            case 2: return .integer((number.intValue ?? 0) &* 2 &+ 1)
            default: return hostileValues[pick(hostileValues.count)]
            }
        default:
            return hostileValues[pick(hostileValues.count)]
        }
    }
}

@Suite struct HostileManifestTests {
    private static let allowedCodes: Set<CheckpointError.Code> = [.malformed, .corrupt, .unsafePath, .incompatible, .notFound]

    /// A committed checkpoint in memory and its manifest without the self-digest.
    private func committed() async throws -> (InMemoryBackend, JSONObject) {
        let backend = InMemoryBackend()
        try await save({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 1, backend: backend)
        let bytes = try await backend.read(CheckpointPath.manifest, of: CheckpointID(step: 1), range: nil)
        var object = try #require(try JSONParser.parse(bytes.byteArray()).objectValue)
        object[CheckpointManifest.selfDigestKey] = nil
        return (backend, object)
    }

    /// Opens, loads and verifies the checkpoint; every failure must be a clean `CheckpointError`, and no read may
    /// name a path outside the checkpoint.
    private func exercise(_ backend: CountingBackend, label: String, thorough: Bool) async {
        let id = CheckpointID(step: 1)
        var opened = false
        let error = await checkpointError {
            let reader = try await CheckpointReader(backend: backend, checkpoint: id)
            opened = true
            for rank in 0..<2 {
                _ = try await reader.read(into: makeState(rank: rank, worldSize: 2), rank: rank, worldSize: 2)
            }
            _ = try await reader.read(into: makeState(rank: 0, worldSize: 3), rank: 0, worldSize: 3, verification: .exactRanges)
        }
        if let error { #expect(Self.allowedCodes.contains(error.code), "\(label): \(error)") }
        // A manifest the reader rejects is rejected the same way by the verifier and inspect (they share the
        // decoder), so those run on every accepted manifest and on a sample of the others.
        if opened || thorough {
            let report = await CheckpointVerifier.verify(backend: backend, checkpoint: id)
            #expect(opened || !report.isValid, "\(label): the verifier accepts what the reader rejects")
            _ = try? await CheckpointSummary.inspect(backend: backend, checkpoint: id)
        }
        #expect(backend.requestedPaths.allSatisfy(CheckpointPath.isSafe), "\(label) read outside the checkpoint")
    }

    @Test func structurallyHostileManifestsFailCleanly() async throws {
        let (memory, base) = try await committed()
        let backend = CountingBackend(memory)
        var mutator = ManifestMutator(random: PhiloxRandom(seed: 11, label: "hostile-manifest"), base: base)
        var accepted = 0
        for index in 0..<caseCount {
            guard let object = mutator.next().objectValue else { continue }
            let bytes = CheckpointManifest.sealed(object)
            memory.overwrite(CheckpointPath.manifest, of: CheckpointID(step: 1), with: bytes)
            backend.reset()
            await exercise(backend, label: "case \(index)", thorough: index % 16 == 0)
            if (try? CheckpointManifest(json: bytes)) != nil { accepted += 1 }
        }
        #expect(accepted < caseCount / 2, "most mutations must be rejected (\(accepted) accepted)")
    }

    @Test func byteLevelDamageToTheManifestFailsCleanly() async throws {
        let (memory, base) = try await committed()
        let backend = CountingBackend(memory)
        let original = CheckpointManifest.sealed(base)
        var random = PhiloxRandom(seed: 12, label: "manifest-bytes")
        for index in 0..<caseCount {
            var bytes = original
            for _ in 0..<(1 + Int(random.next32() % 3)) {
                let position = Int(random.next32() % UInt32(bytes.count))
                switch random.next32() % 4 {
                case 0: bytes[position] ^= UInt8(1 << (random.next32() % 8))
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next32()), at: position)
                default: bytes = Array(bytes.prefix(position))
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            memory.overwrite(CheckpointPath.manifest, of: CheckpointID(step: 1), with: bytes)
            backend.reset()
            let error = await checkpointError { _ = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 1)) }
            if bytes != original {
                let code = try #require(error?.code, "case \(index): damaged manifest accepted")
                #expect([.malformed, .corrupt].contains(code), "case \(index): \(String(describing: error))")
            }
        }
    }

    @Test(arguments: [
        ("files", "../outside.bin"), ("files", "/etc/passwd"), ("files", "model\\model.safetensors"),
        ("files", "model//model.safetensors"), ("piece", "../model/model.safetensors"), ("piece", "unlisted.safetensors"),
    ])
    func unsafeOrUnlistedPathsAreRejectedBeforeAnyRead(place: String, path: String) async throws {
        let (memory, base) = try await committed()
        var object = base
        if place == "files" {
            var files = try #require(object["files"]?.arrayValue)
            var first = try #require(files[0].objectValue)
            first["path"] = .string(path)
            files[0] = .object(first)
            object["files"] = .array(files)
        } else {
            var tensors = try #require(object["tensors"]?.objectValue)
            var tensor = try #require(tensors["model.norm.weight"]?.objectValue)
            var pieces = try #require(tensor["pieces"]?.arrayValue)
            var piece = try #require(pieces[0].objectValue)
            piece["file"] = .string(path)
            pieces[0] = .object(piece)
            tensor["pieces"] = .array(pieces)
            tensors["model.norm.weight"] = .object(tensor)
            object["tensors"] = .object(tensors)
        }
        memory.overwrite(CheckpointPath.manifest, of: CheckpointID(step: 1), with: CheckpointManifest.sealed(object))
        let backend = CountingBackend(memory)
        let error = await checkpointError { _ = try await CheckpointReader(backend: backend, checkpoint: CheckpointID(step: 1)) }
        #expect([.unsafePath, .malformed].contains(error?.code), "\(String(describing: error))")
        #expect(backend.requestedPaths == [CheckpointPath.manifest])
    }

    @Test func aSafetensorsHeaderClaimingOver100MBIsRejectedWithoutReadingIt() async throws {
        let (memory, base) = try await committed()
        let id = CheckpointID(step: 1)
        let path = "model/model.safetensors"
        var bytes = try await memory.read(path, of: id, range: nil).byteArray()
        withUnsafeBytes(of: UInt64(200_000_000).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        memory.overwrite(path, of: id, with: bytes)
        // Reseal the manifest with the forged file's digest, so only the header check stands in the way.
        var object = base
        object["files"] = .array(try #require(object["files"]?.arrayValue).map { entry in
            guard entry["path"]?.stringValue == path, var record = entry.objectValue else { return entry }
            record["xxh3_128"] = .string(CheckpointDigest.hex(of: bytes))
            return .object(record)
        })
        memory.overwrite(CheckpointPath.manifest, of: id, with: CheckpointManifest.sealed(object))
        let backend = CountingBackend(memory)
        let error = await checkpointError {
            _ = try await load({ makeState(rank: $0, worldSize: $1) }, worldSize: 2, step: 1, backend: backend)
        }
        #expect(error?.code == .corrupt && error?.file == path, "\(String(describing: error))")
        #expect(backend.log.filter { $0.path == path }.allSatisfy { $0.bytes <= 8 })
        let report = await CheckpointVerifier.verify(backend: memory, checkpoint: id)
        #expect(report.damagedFiles == [path])
    }
}
