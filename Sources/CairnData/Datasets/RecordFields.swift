internal import CairnJSON

/// Typed access to a record's fields with errors that name the field path.
struct RecordFields {
    let object: JSONObject
    let path: String

    init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// The path of `key` below this record.
    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, absent when missing or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    /// The string at `key`.
    /// - Throws: ``DataError`` `.invalidSample` when missing or not a string.
    func requiredString(_ key: String) throws(DataError) -> String {
        guard let value = value(key) else {
            throw DataError(.invalidSample, field: fieldPath(key), "missing required field")
        }
        guard let text = value.stringValue else {
            throw DataError(.invalidSample, field: fieldPath(key), "expected a string, found \(value.kindDescription)")
        }
        return text
    }

    /// The string at `key`, or `nil` when missing or null.
    /// - Throws: ``DataError`` `.invalidSample` when present but not a string.
    func optionalString(_ key: String) throws(DataError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else {
            throw DataError(.invalidSample, field: fieldPath(key), "expected a string, found \(value.kindDescription)")
        }
        return text
    }

    /// The array at `key`.
    /// - Throws: ``DataError`` `.invalidSample` when missing or not an array.
    func requiredArray(_ key: String) throws(DataError) -> [JSONValue] {
        guard let value = value(key) else {
            throw DataError(.invalidSample, field: fieldPath(key), "missing required field")
        }
        guard let elements = value.arrayValue else {
            throw DataError(.invalidSample, field: fieldPath(key), "expected an array, found \(value.kindDescription)")
        }
        return elements
    }

    /// The object at `array[index]` as fields, for a list of turns.
    /// - Throws: ``DataError`` `.invalidSample` when the element is not an object.
    static func element(_ value: JSONValue, of key: String, at index: Int) throws(DataError) -> RecordFields {
        guard let object = value.objectValue else {
            throw DataError(
                .invalidSample, field: "\(key)[\(index)]", "expected an object, found \(value.kindDescription)")
        }
        return RecordFields(object, path: "\(key)[\(index)]")
    }
}
