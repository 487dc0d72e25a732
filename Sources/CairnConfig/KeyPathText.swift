/// Renders coding paths as the dotted key paths errors show: `dist_config.world_size`, `modules[2].name`.
enum KeyPathText {
    /// `path` followed by the mapping key `key`.
    static func appending(_ key: String, to path: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// `path` followed by the sequence index `index`.
    static func appending(index: Int, to path: String) -> String {
        path + "[\(index)]"
    }

    /// The dotted form of a coding path (integer keys are sequence indices).
    static func render(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key is IndexKey {
                path = appending(index: index, to: path)
            } else {
                path = appending(key.stringValue, to: path)
            }
        }
        return path
    }
}

/// A coding key for a sequence position.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String

    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }

    init?(intValue: Int) { self.init(intValue) }

    init?(stringValue: String) { nil }
}

/// A coding key for a mapping key that need not belong to any `CodingKeys` type.
struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }

    init?(stringValue: String) { self.stringValue = stringValue }

    init?(intValue: Int) { nil }
}

extension KeyPathText {
    /// One step of a dotted key path.
    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    /// `relative` appended to `path` (no dot before an index).
    static func joining(_ path: String, _ relative: String) -> String {
        if path.isEmpty { return relative }
        if relative.isEmpty { return path }
        return relative.hasPrefix("[") ? path + relative : path + "." + relative
    }

    /// The components of `a.b[2].c`; `nil` when the text is not a well-formed key path.
    static func components(of text: String) -> [Component]? {
        var result: [Component] = []
        for segment in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = segment[...]
            let name = rest.prefix { $0 != "[" }
            rest = rest.dropFirst(name.count)
            if !name.isEmpty {
                result.append(.key(String(name)))
            } else if rest.isEmpty {
                return nil
            }
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                    let index = Int(rest[rest.index(after: rest.startIndex)..<close])
                else { return nil }
                result.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
        }
        return result
    }

    /// The node `text` names below `node`, if it exists.
    static func descendant(of node: YAMLNode, at text: String) -> YAMLNode? {
        guard let components = components(of: text) else { return nil }
        var current = node
        for component in components {
            switch component {
            case .key(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .index(let index):
                guard let items = current.sequenceItems, items.indices.contains(index) else { return nil }
                current = items[index]
            }
        }
        return current
    }
}
