import CairnCore
import CairnJSON

/// Strict, typed access to the members of a JSON object read from a checkpoint, with errors that name the file
/// and the member path (`tensors.model.norm.weight.pieces[1].offsets`).
///
/// Every member must be read: ``finish()`` rejects the ones nobody asked for, so a misspelt or foreign key is an
/// error rather than silently ignored.
struct JSONFields {
    let object: JSONObject
    let path: String
    let file: String
    private var used: Set<String> = []

    /// Wraps `value`, which must be an object.
    init(_ value: JSONValue, path: String, file: String) throws(CheckpointError) {
        guard let object = value.objectValue else {
            throw CheckpointError(.malformed, file: file, "\(path.isEmpty ? "the document" : path) is \(value.kindName), not an object")
        }
        self.object = object
        self.path = path
        self.file = file
    }

    /// The path of member `key`.
    func memberPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about member `key`.
    func failure(_ key: String, _ message: String) -> CheckpointError {
        CheckpointError(.malformed, file: file, "\(memberPath(key)): \(message)")
    }

    // MARK: - Members

    /// The value of `key`.
    mutating func value(_ key: String) throws(CheckpointError) -> JSONValue {
        used.insert(key)
        guard let value = object[key] else { throw failure(key, "missing") }
        return value
    }

    /// The value of `key`, or `nil` when absent.
    mutating func optionalValue(_ key: String) -> JSONValue? {
        used.insert(key)
        return object[key]
    }

    mutating func string(_ key: String) throws(CheckpointError) -> String {
        let value = try value(key)
        guard let text = value.stringValue else { throw failure(key, "expected a string, found \(value.kindName)") }
        return text
    }

    mutating func bool(_ key: String) throws(CheckpointError) -> Bool {
        let value = try value(key)
        guard let flag = value.boolValue else { throw failure(key, "expected a boolean, found \(value.kindName)") }
        return flag
    }

    /// A plain integer literal within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int> = 0...Int.max) throws(CheckpointError) -> Int {
        try Self.integer(try value(key), in: range) { message throws(CheckpointError) in throw failure(key, message) }
    }

    /// A finite number.
    mutating func double(_ key: String) throws(CheckpointError) -> Double {
        let value = try value(key)
        guard let number = value.numberValue, number.doubleValue.isFinite else {
            throw failure(key, "expected a finite number, found \(describe(value))")
        }
        return number.doubleValue
    }

    mutating func array(_ key: String) throws(CheckpointError) -> [JSONValue] {
        let value = try value(key)
        guard let elements = value.arrayValue else { throw failure(key, "expected an array, found \(value.kindName)") }
        return elements
    }

    /// A list of plain integers within `range`.
    mutating func integers(_ key: String, in range: ClosedRange<Int> = 0...Int.max) throws(CheckpointError) -> [Int] {
        var result: [Int] = []
        for (index, element) in try array(key).enumerated() {
            result.append(
                try Self.integer(element, in: range) { message throws(CheckpointError) in
                    throw failure("\(key)[\(index)]", message)
                })
        }
        return result
    }

    mutating func object(_ key: String) throws(CheckpointError) -> JSONFields {
        try JSONFields(try value(key), path: memberPath(key), file: file)
    }

    /// Checks that every member was read.
    func finish() throws(CheckpointError) {
        if let stray = object.keys.first(where: { !used.contains($0) }) {
            throw failure(stray, "unknown member")
        }
    }

    // MARK: - Helpers

    static func integer(
        _ value: JSONValue, in range: ClosedRange<Int>, fail: (String) throws(CheckpointError) -> Never
    ) throws(CheckpointError) -> Int {
        guard let number = value.intValue else { try fail("expected an integer, found \(describe(value))") }
        guard range.contains(number) else {
            try fail("\(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}

/// A short description of `value` for messages: the number's text (abridged when long), else its kind.
func describe(_ value: JSONValue) -> String {
    if let number = value.numberValue {
        return number.text.count > 32 ? "a \(number.text.count)-character number" : number.text
    }
    return value.kindName
}
