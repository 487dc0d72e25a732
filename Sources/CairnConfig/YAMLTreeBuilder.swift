import CairnCore

/// Builds a ``YAMLNode`` tree from libyaml events without recursion, enforcing Cairn's structural rules.
///
/// Rules: one document; unique scalar keys; no complex keys; only core tags; aliases defined before use;
/// nesting at most ``YAMLParser/maximumDepth`` levels; alias expansion at most
/// ``YAMLParser/maximumExpandedNodes`` nodes (the "billion laughs" guard).
struct YAMLTreeBuilder {
    /// An open sequence or mapping.
    private struct Frame {
        var isMapping: Bool
        var position: InputPosition
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var pendingKey: YAMLNode?
        var keyPositions: [String: InputPosition] = [:]
    }

    let file: String
    let options: YAMLParser.Options
    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var documentCount = 0
    private(set) var root: YAMLNode?

    init(file: String, options: YAMLParser.Options) {
        self.file = file
        self.options = options
    }

    // MARK: - Events

    /// Consumes one event.
    /// - Throws: ``ConfigurationError`` `.malformedInput` when the event breaks one of the rules.
    mutating func consume(_ event: YAMLEvent) throws(ConfigurationError) {
        let position = self.position(line: event.line, column: event.column)
        switch event.kind {
        case .streamStart, .streamEnd, .documentEnd:
            break
        case .documentStart:
            documentCount += 1
            guard documentCount == 1 else {
                throw error(at: position, "a second YAML document starts here; a Cairn file holds exactly one")
            }
        case .alias(let name):
            guard let node = anchors[name] else {
                throw error(
                    at: position,
                    "alias '*\(name)' refers to no anchor defined before it "
                        + "(an alias cannot point into its own collection)")
            }
            try add(node)
        case .scalar(let text, let isPlain, let tag):
            let keepsPlain = try tagKeepsPlain(tag, at: position)
            let plain = isPlain && keepsPlain
            try add(register(YAMLNode(scalar: text, isPlain: plain, position: position), anchor: event.anchor))
        case .sequenceStart(let tag, let isFlow), .mappingStart(let tag, let isFlow):
            var isMapping = false
            if case .mappingStart = event.kind { isMapping = true }
            try checkCollectionTag(tag, at: position)
            if options.requiresFlowCollections && !isFlow {
                throw error(
                    at: position,
                    "this value is a block \(isMapping ? "mapping" : "sequence"); write a flow value such as "
                        + "{a: 1} or [a, b], or quote the text")
            }
            guard stack.count < YAMLParser.maximumDepth else {
                throw error(at: position, "nesting deeper than \(YAMLParser.maximumDepth) levels")
            }
            stack.append(Frame(isMapping: isMapping, position: position, anchor: event.anchor))
        case .sequenceEnd, .mappingEnd:
            guard let frame = stack.popLast() else { return }
            let node =
                frame.isMapping
                ? YAMLNode(.mapping(frame.pairs), position: frame.position)
                : YAMLNode(.sequence(frame.items), position: frame.position)
            guard node.expandedSize <= YAMLParser.maximumExpandedNodes else {
                throw error(
                    at: frame.position,
                    "aliases expand this value to more than \(YAMLParser.maximumExpandedNodes) nodes")
            }
            try add(register(node, anchor: frame.anchor))
        }
    }

    // MARK: - Helpers

    private mutating func register(_ node: YAMLNode, anchor: String?) -> YAMLNode {
        if let anchor { anchors[anchor] = node }
        return node
    }

    private mutating func add(_ node: YAMLNode) throws(ConfigurationError) {
        guard node.depth + stack.count <= YAMLParser.maximumDepth else {
            throw error(at: node.position, "nesting deeper than \(YAMLParser.maximumDepth) levels")
        }
        guard var frame = stack.popLast() else {
            root = node
            return
        }
        defer { stack.append(frame) }
        guard frame.isMapping else {
            frame.items.append(node)
            return
        }
        guard let key = frame.pendingKey else {
            guard case .scalar(let text, _) = node.kind else {
                throw error(at: node.position, "mapping keys must be scalars; this key is \(node.summary)")
            }
            if let first = frame.keyPositions[text] {
                let parentPath = path(throughFrames: stack.count)
                throw ConfigurationError(
                    .malformedInput, keyPath: KeyPathText.appending(text, to: parentPath), position: node.position,
                    "duplicate key '\(text)' (first defined at \(first))")
            }
            frame.keyPositions[text] = node.position
            frame.pendingKey = node
            return
        }
        frame.pairs.append((key: key, value: node))
        frame.pendingKey = nil
    }

    /// The dotted key path of the collection open at depth `count` (the root is depth 0), such as `dist_config`
    /// or `modules[2]`: each enclosing frame contributes its pending key or its next index.
    private func path(throughFrames count: Int) -> String {
        var path = ""
        for frame in stack.prefix(count) {
            if frame.isMapping {
                path = KeyPathText.appending(frame.pendingKey?.scalarText ?? "?", to: path)
            } else {
                path += "[\(frame.items.count)]"
            }
        }
        return path
    }

    /// Whether a plain scalar with `tag` stays subject to core-schema typing (`!!str` and `!` make it a string).
    private func tagKeepsPlain(_ tag: String?, at position: InputPosition) throws(ConfigurationError) -> Bool {
        guard let tag else { return true }
        switch tag {
        case "!", "tag:yaml.org,2002:str": return false
        case "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float":
            return true
        default: throw unsupportedTag(tag, at: position)
        }
    }

    private func checkCollectionTag(_ tag: String?, at position: InputPosition) throws(ConfigurationError) {
        guard let tag, tag != "tag:yaml.org,2002:seq", tag != "tag:yaml.org,2002:map" else { return }
        throw unsupportedTag(tag, at: position)
    }

    private func unsupportedTag(_ tag: String, at position: InputPosition) -> ConfigurationError {
        error(at: position, "the tag '\(tag)' is not supported; Cairn types values by the YAML 1.2 core schema")
    }

    func position(line: Int, column: Int) -> InputPosition {
        InputPosition(
            file: file, line: line + 1, column: column + 1 + (line == 0 ? options.columnOffset : 0))
    }

    private func error(at position: InputPosition, _ message: String) -> ConfigurationError {
        ConfigurationError(.malformedInput, position: position, message)
    }
}
