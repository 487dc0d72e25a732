import Foundation

/// Appends one JSON line per optimizer step to `<output_dir>/metrics.jsonl`.
///
/// Numbers are written with Swift's shortest round-trip formatting, so a loss read back is bit-identical to the
/// one computed: two runs of the same config can be compared exactly. On resume, lines after the resumed step
/// (written by the interrupted run after its last checkpoint) are dropped first, so the file always describes
/// one consistent history.
final class MetricsWriter {
    let path: String
    private let handle: FileHandle

    /// Opens (creating) the file, keeping only lines with `step <= keepThrough`.
    init(path: String, keepThrough step: Int) throws {
        self.path = path
        let manager = FileManager.default
        if let data = manager.contents(atPath: path), step >= 0 {
            let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
                guard let parsed = try? JSONDecoder().decode(StepMetrics.self, from: Data(line.utf8)) else { return false }
                return parsed.step <= step
            }
            try Data(kept.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } else if !manager.fileExists(atPath: path) || step < 0 {
            _ = manager.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        try handle.seekToEnd()
    }

    deinit {
        try? handle.close()
    }

    /// Appends `metrics` as one line.
    func append(_ metrics: StepMetrics) throws {
        let line = "{\"step\":\(metrics.step),\"epoch\":\(metrics.epoch),\"loss\":\(metrics.loss),"
            + "\"lr\":\(metrics.learningRate),\"grad_norm\":\(metrics.gradientNorm),"
            + "\"loss_tokens\":\(metrics.lossTokens),\"tokens\":\(metrics.tokens),\"seconds\":\(metrics.seconds)}\n"
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// Reads every line of a metrics file.
    static func read(_ path: String) throws -> [StepMetrics] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(StepMetrics.self, from: Data($0.utf8))
        }
    }
}
