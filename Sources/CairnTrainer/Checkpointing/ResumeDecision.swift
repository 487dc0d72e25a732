import CairnCheckpoint
import CairnCore
import Foundation

/// Which checkpoint a run resumes from: decided once, by rank 0, and shared with every rank.
struct ResumeDecision: Sendable, Equatable {
    /// The folder holding the checkpoint folders, or `nil` for the run's own checkpoint backend.
    var root: String?
    /// The checkpoint.
    var checkpoint: CheckpointID
    /// Where it is, for messages.
    var location: String

    /// `nil` (start fresh) or a decision, as bytes for `allGatherBytes`.
    static func encode(_ decision: ResumeDecision?) -> [UInt8] {
        guard let decision else { return [] }
        return Array("\(decision.checkpoint.step)\n\(decision.location)\n\(decision.root ?? "")".utf8)
    }

    static func decode(_ bytes: [UInt8]) -> ResumeDecision? {
        guard !bytes.isEmpty else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let step = Int(fields[0]) else { return nil }
        return ResumeDecision(root: fields[2].isEmpty ? nil : String(fields[2]), checkpoint: CheckpointID(step: step),
                              location: String(fields[1]))
    }

    /// Splits an explicit `resume_from_checkpoint` path into its folder and checkpoint.
    /// - Throws: ``CheckpointError`` `.notFound` when the path is not a `checkpoint-<step>` folder.
    static func explicit(_ path: String) throws -> ResumeDecision {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CheckpointError(.notFound, checkpoint: path, "resume_from_checkpoint: no such folder")
        }
        guard let id = CheckpointID(name: url.lastPathComponent) else {
            let hint = url.lastPathComponent.hasSuffix(".tmp")
                ? "it is an uncommitted save that was interrupted; resume from a committed checkpoint-<step> folder"
                : "expected a folder named checkpoint-<step>"
            throw CheckpointError(.notCommitted, checkpoint: path, "resume_from_checkpoint: \(hint)")
        }
        return ResumeDecision(root: url.deletingLastPathComponent().path, checkpoint: id, location: url.path)
    }
}
