internal import Foundation
internal import CairnJSON

/// Reads the files a ``DatasetSpec`` names and converts their records into conversations.
///
/// A file whose first non-blank character is `[` is one JSON array of records; otherwise it is JSONL, one
/// record per line (blank lines are allowed and skipped; a trailing newline is common). Every bad record is an
/// error naming the file, line, sample index and field; nothing is skipped silently.
public enum DatasetLoader {
    /// The samples of every dataset in spec order.
    /// - Throws: ``DataError`` (`.missingFile`, `.malformedFile`, `.invalidSample`, `.invalidSpec`,
    ///   `.emptyDataset`) naming the dataset and file.
    public static func load(_ spec: DatasetSpec) throws(DataError) -> [DatasetSample] {
        var samples: [DatasetSample] = []
        for entry in spec.entries { samples += try load(entry) }
        return samples
    }

    /// The samples of one dataset: its first `size` records (all when `size` is `nil`).
    /// - Throws: ``DataError`` as ``load(_:)-swift.type.method``.
    public static func load(_ entry: DatasetSpec.Entry) throws(DataError) -> [DatasetSample] {
        let bytes = try readFile(entry)
        let isArray = bytes.withUnsafeBufferPointer(isJSONArray)
        let records: [JSONRecord]
        do {
            records = try isArray
                ? JSONParser.parseArrayElements(bytes, options: parsingOptions)
                : JSONParser.parseLines(bytes, options: parsingOptions, limit: entry.size)
        } catch {
            let looksPrettyPrinted = !isArray && error.message.hasPrefix("unexpected end of input")
            throw DataError(
                .malformedFile, dataset: entry.name, file: entry.path, line: error.line, column: error.column,
                error.message + (looksPrettyPrinted ? "; JSONL needs one whole JSON object per line" : ""))
        }
        if let size = entry.size, records.count < size {
            throw DataError(
                .invalidSpec, dataset: entry.name, file: entry.path,
                "size is \(size) but the file holds only \(records.count) records")
        }
        guard !records.isEmpty else {
            throw DataError(.emptyDataset, dataset: entry.name, file: entry.path, "the file holds no records")
        }
        let count = min(records.count, entry.size ?? records.count)
        var samples: [DatasetSample] = []
        samples.reserveCapacity(count)
        for index in 0..<count {
            let source = SampleSource(dataset: entry.name, file: entry.path, line: records[index].line, index: index)
            do {
                let conversation = try entry.converter.conversation(from: records[index].value)
                samples.append(DatasetSample(conversation: conversation, source: source))
            } catch {
                throw error.located(at: source)
            }
        }
        return samples
    }

    // MARK: - Private helpers

    /// Strict JSON, but a byte-order mark (which some editors save) is skipped.
    private static let parsingOptions = JSONParser.Options(skipsByteOrderMark: true)

    private static func readFile(_ entry: DatasetSpec.Entry) throws(DataError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: entry.path, isDirectory: &isDirectory) else {
            var message = "no such file"
            if let written = entry.writtenPath, written != entry.path, FileManager.default.fileExists(atPath: written) {
                message +=
                    "; '\(written)' exists relative to the working directory, but dataset paths resolve "
                    + "against the spec file's folder (LlamaFactory resolves them against the working directory): "
                    + "write the path relative to the spec, or an absolute path"
            }
            throw DataError(.missingFile, dataset: entry.name, file: entry.path, message)
        }
        guard !isDirectory.boolValue else {
            throw DataError(.missingFile, dataset: entry.name, file: entry.path, "is a folder, not a data file")
        }
        guard let data = FileManager.default.contents(atPath: entry.path) else {
            throw DataError(.missingFile, dataset: entry.name, file: entry.path, "cannot read the file")
        }
        return [UInt8](data)
    }

    /// Whether the first non-whitespace byte (after a byte-order mark) opens an array.
    private static func isJSONArray(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: "[")
    }
}
