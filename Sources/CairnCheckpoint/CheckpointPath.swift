public import CairnCore

/// The rules for paths inside a checkpoint, and the names of the files Cairn puts there.
///
/// A path is relative and `/`-separated; it may not be absolute, contain an empty, `.` or `..` component, a
/// backslash or a NUL, so a path read from a manifest or given by a caller can never name anything outside the
/// checkpoint folder.
public enum CheckpointPath {
    /// The manifest, written last by rank 0 through ``CheckpointBackend/commit(_:manifest:)``.
    public static let manifest = "manifest.json"
    /// The commit marker.
    public static let completeMarker = "COMPLETE"
    /// Paths no writer may use: the backend writes them at commit.
    public static let reserved: Set<String> = [manifest, completeMarker]

    /// Checks that `path` stays inside the checkpoint.
    /// - Throws: ``CheckpointError`` `.unsafePath` naming the path and the rule it breaks.
    public static func validate(_ path: String, checkpoint: CheckpointID? = nil) throws(CheckpointError) {
        if let problem = problem(with: path) {
            throw CheckpointError(
                .unsafePath, checkpoint: checkpoint?.name, step: checkpoint?.step, file: path,
                "\(problem); checkpoint paths are relative, '/'-separated and stay inside the checkpoint folder")
        }
    }

    /// Whether `path` stays inside the checkpoint.
    public static func isSafe(_ path: String) -> Bool { problem(with: path) == nil }

    /// What is wrong with `path`, or `nil` when it is safe.
    static func problem(with path: String) -> String? {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return "the path is empty" }
        if bytes.count > 4096 { return "the path is longer than 4096 bytes" }
        if bytes.contains(0) { return "the path contains a NUL byte" }
        if bytes.contains(UInt8(ascii: "\\")) { return "the path contains a backslash" }
        if bytes.first == UInt8(ascii: "/") { return "the path is absolute" }
        for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.isEmpty { return "the path has an empty component" }
            if component.elementsEqual([UInt8(ascii: ".")]) { return "the path has a '.' component" }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) { return "the path has a '..' component" }
            if component.count > 255 { return "a path component is longer than 255 bytes" }
        }
        return nil
    }

    // MARK: - Cairn's file names

    /// `ranks/rank-00003.json`: the non-tensor state of rank 3 (0-based).
    public static func rankState(rank: Int) -> String { "ranks/rank-\(padded(rank)).json" }

    /// The safetensors file that holds `namespace`'s tensors: `<namespace>/<namespace>.safetensors` for
    /// replicated tensors (written by rank 0), `<namespace>/<namespace>-rank-00002-of-00004.safetensors` for the
    /// pieces of rank 1 of 4 (1-based, like Hugging Face's shard names).
    public static func tensorFile(namespace: Substring, shardOf rank: Int?, worldSize: Int) -> String {
        tensorFile(folder: String(namespace), stem: String(namespace), shardOf: rank, worldSize: worldSize)
    }

    /// `<folder>/<stem>.safetensors`, or `<folder>/<stem>-rank-00002-of-00004.safetensors` for a rank's pieces.
    public static func tensorFile(folder: String, stem: String, shardOf rank: Int?, worldSize: Int) -> String {
        guard let rank else { return "\(folder)/\(stem).safetensors" }
        return "\(folder)/\(stem)-rank-\(padded(rank + 1))-of-\(padded(worldSize)).safetensors"
    }

    private static func padded(_ value: Int) -> String {
        let digits = String(value)
        return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
    }
}
