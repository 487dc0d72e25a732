import Cairn
import Foundation

/// Runs `bench/torch_train_reference.py` (PyTorch eager on the same shapes, 2 threads) when `torch` is importable.
enum PyTorchReference {
    /// PyTorch's training tokens/s for `shape`, or `nil` when Python, torch or the script is missing.
    static func tokensPerSecond(_ shape: BenchmarkShape, steps: Int) -> Double? {
        let script = "bench/torch_train_reference.py"
        guard FileManager.default.fileExists(atPath: script) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--shape", shape.name, "--steps", String(steps), "--threads", "2"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return json["tokens_per_second"] as? Double
    }
}
