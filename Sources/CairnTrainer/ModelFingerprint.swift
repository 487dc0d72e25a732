import CairnCheckpoint
import Foundation

/// A digest that identifies the base model a run starts from, so a checkpoint refuses to resume another one.
///
/// XXH3-128 over the folder's `config.json` and, when it holds weights, every weight file in name order (the
/// index and its shards, or `model.safetensors`); a model initialised from the seed adds the seed instead.
enum ModelFingerprint {
    static func compute(folder: String, hasWeights: Bool, seed: Int) throws -> String {
        var files = ["config.json"]
        if hasWeights {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            files += names.filter { $0.hasSuffix(".safetensors") || $0 == "model.safetensors.index.json" }.sorted()
        }
        var stream = CheckpointDigest.Stream()
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file), options: .alwaysMapped)
            Array(file.utf8).withUnsafeBytes { stream.update($0) }
            data.withUnsafeBytes { stream.update($0) }
        }
        if !hasWeights { Array("random-init seed=\(seed)".utf8).withUnsafeBytes { stream.update($0) } }
        return stream.finalize()
    }
}
