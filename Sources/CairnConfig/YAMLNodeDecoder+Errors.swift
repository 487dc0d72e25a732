import CairnCore

extension YAMLNodeDecoder {
    // MARK: - Locating errors

    /// Turns anything a type's `init(from:)` threw into a positioned ``ConfigurationError``.
    ///
    /// A `ConfigurationError` without a position gets one: its key path, if any, is read relative to this node
    /// (or as a full path that starts with this node's path); what is already filled in is kept. A
    /// `DecodingError` is translated at the node its coding path names. Anything else becomes `.invalidValue`
    /// at this node, with the original as the cause.
    func locate(_ error: any Error, allowedValues: [String]? = nil) -> ConfigurationError {
        if var configuration = error as? ConfigurationError {
            if configuration.position == nil {
                let (position, keyPath) = resolve(configuration.keyPath)
                configuration.position = position
                configuration.keyPath = keyPath
            } else if configuration.keyPath == nil {
                configuration.keyPath = path
            }
            return configuration
        }
        if let decoding = error as? DecodingError { return translate(decoding, allowedValues: allowedValues) }
        return ConfigurationError(.invalidValue, keyPath: path, position: node.position, "invalid value", cause: error)
    }

    /// The position and full key path for a key path a type reported relative to this node (or in full).
    func resolve(_ keyPath: String?) -> (InputPosition, String) {
        guard let keyPath, !keyPath.isEmpty else { return (node.position, path) }
        if let found = KeyPathText.descendant(of: node, at: keyPath) {
            return (found.position, KeyPathText.joining(path, keyPath))
        }
        if !path.isEmpty, keyPath == path { return (node.position, path) }
        if !path.isEmpty, keyPath.hasPrefix(path + ".") || keyPath.hasPrefix(path + "[") {
            var relative = keyPath.dropFirst(path.count)
            if relative.hasPrefix(".") { relative = relative.dropFirst() }
            let found = KeyPathText.descendant(of: node, at: String(relative))
            return (found?.position ?? node.position, keyPath)
        }
        return (node.position, KeyPathText.joining(path, keyPath))
    }

    // MARK: - DecodingError

    private func translate(_ error: DecodingError, allowedValues: [String]?) -> ConfigurationError {
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let (target, targetPath) = descendant(at: context.codingPath)
            return ConfigurationError(
                .wrongType, keyPath: targetPath, position: target.position,
                "expected \(Self.describe(type)), found \(target.summary)", cause: error)
        case .keyNotFound(let key, let context):
            let (parent, parentPath) = descendant(at: context.codingPath)
            return ConfigurationError(
                .missingKey, keyPath: KeyPathText.appending(key.stringValue, to: parentPath),
                position: parent.position, "missing required key '\(key.stringValue)'")
        case .dataCorrupted(let context):
            let (target, targetPath) = descendant(at: context.codingPath)
            if let allowedValues, context.codingPath.count == codingPath.count, let text = target.scalarText {
                var message = "expected one of \(allowedValues.joined(separator: ", ")), found \(target.summary)"
                if let suggestion = KeySuggestion.closest(to: text, among: allowedValues) {
                    message += "; did you mean '\(suggestion)'?"
                }
                return ConfigurationError(.invalidValue, keyPath: targetPath, position: target.position, message)
            }
            return ConfigurationError(
                .invalidValue, keyPath: targetPath, position: target.position, context.debugDescription)
        @unknown default:
            return ConfigurationError(.invalidValue, keyPath: path, position: node.position, "\(error)", cause: error)
        }
    }

    /// The deepest node an absolute coding path reaches from this node, and its dotted path.
    private func descendant(at absolute: [any CodingKey]) -> (YAMLNode, String) {
        var current = node
        var currentPath = path
        guard absolute.count > codingPath.count else { return (current, currentPath) }
        for key in absolute[codingPath.count...] {
            switch current.kind {
            case .mapping:
                guard let next = current[key.stringValue] else { return (current, currentPath) }
                current = next
                currentPath = KeyPathText.appending(key.stringValue, to: currentPath)
            case .sequence(let items):
                guard let index = key.intValue, items.indices.contains(index) else { return (current, currentPath) }
                current = items[index]
                currentPath = KeyPathText.appending(index: index, to: currentPath)
            case .scalar:
                return (current, currentPath)
            }
        }
        return (current, currentPath)
    }

    /// How a message names a type: `an integer`, `a number`, `a sequence`.
    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is any FixedWidthInteger.Type: return "an integer"
        case is any BinaryFloatingPoint.Type: return "a number"
        case is Bool.Type: return "a boolean (true or false)"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array<") { return "a sequence" }
            if name.hasPrefix("Dictionary<") { return "a mapping" }
            return "a value of type \(name)"
        }
    }
}
