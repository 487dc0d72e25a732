import CairnConfig
import CairnCore
import Testing

@Suite struct YAMLParserTests {
    // MARK: - Tree and positions

    @Test func parserBuildsOrderedMappingWithOneBasedPositions() throws {
        let root = try parse(
            """
            model: qwen
            dist_config:
              name: fsdp2
              world_size: 2
            list: [a, "b"]
            """)
        let pairs = try #require(root.mappingPairs)
        #expect(pairs.map { $0.key.scalarText } == ["model", "dist_config", "list"])
        #expect(root.position.description == "test.yaml:1:1")
        #expect(pairs[0].key.position.description == "test.yaml:1:1")
        #expect(pairs[0].value.position.description == "test.yaml:1:8")
        let dist = try #require(root["dist_config"])
        #expect(dist.position.description == "test.yaml:3:3")
        #expect(dist["world_size"]?.position.description == "test.yaml:4:15")
        let list = try #require(root["list"]?.sequenceItems)
        #expect(list.map(\.position.description) == ["test.yaml:5:8", "test.yaml:5:11"])
    }

    @Test func parserRecordsScalarStyle() throws {
        let root = try parse(
            """
            plain: 3
            single: '3'
            double: "3"
            literal: |
              3
            tagged: !!str 3
            """)
        func style(_ key: String) throws -> Bool {
            guard case .scalar(_, let isPlain) = try #require(root[key]).kind else {
                throw ConfigurationError(.wrongType, "not a scalar")
            }
            return isPlain
        }
        #expect(try style("plain"))
        #expect(try !style("single"))
        #expect(try !style("double"))
        #expect(try !style("literal"))
        #expect(try !style("tagged"))
        #expect(root["literal"]?.scalarText == "3\n")
    }

    @Test func parserResolvesAnchorsAndAliases() throws {
        let root = try parse(
            """
            base: &shared {lr: 0.1, names: [a, b]}
            copy: *shared
            """)
        let base = try #require(root["base"])
        let copy = try #require(root["copy"])
        #expect(base === copy)
        #expect(copy.description == "{lr: 0.1, names: [a, b]}")
    }

    @Test func parserTreatsEmptyDocumentsAsEmptyMappings() throws {
        for text in ["", "# only a comment\n", "---\n", "~"] {
            let root = try parse(text)
            #expect(root.mappingPairs?.isEmpty == true, "input \(text.debugDescription)")
        }
    }

    @Test func parserAcceptsAByteOrderMarkAndCRLFLineBreaks() throws {
        let root = try YAMLParser.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb: two\r\n".utf8), file: "win.yaml")
        #expect(root["b"]?.scalarText == "two")
        #expect(root["b"]?.position.description == "win.yaml:2:4")
    }

    // MARK: - Structural errors

    @Test func parserRejectsDuplicateKeysAtTheSecondOccurrence() throws {
        let error = try #require(
            configurationError {
                _ = try parse(
                    """
                    a: 1
                    section:
                      x: 1
                      x: 2
                    """)
            })
        #expect(error.code == .malformedInput)
        #expect(error.description == "test.yaml:4:3: section.x: duplicate key 'x' (first defined at test.yaml:3:3)")
    }

    @Test func parserRejectsMultipleDocuments() throws {
        let error = try #require(configurationError { _ = try parse("a: 1\n---\nb: 2\n") })
        #expect(error.code == .malformedInput)
        #expect(error.position?.description == "test.yaml:2:1")
        #expect(error.message.contains("second YAML document"))
    }

    @Test func parserRejectsUndefinedAliases() throws {
        let error = try #require(configurationError { _ = try parse("a: *nowhere\n") })
        #expect(error.code == .malformedInput)
        #expect(error.position?.description == "test.yaml:1:4")
    }

    @Test func parserRejectsUnsupportedTagsAndComplexKeys() throws {
        let tag = try #require(configurationError { _ = try parse("a: !custom 3\n") })
        #expect(tag.code == .malformedInput)
        #expect(tag.position?.description == "test.yaml:1:4")
        let complex = try #require(configurationError { _ = try parse("? [a, b]\n: 1\n") })
        #expect(complex.code == .malformedInput)
        #expect(complex.message.contains("mapping keys must be scalars"))
    }

    // MARK: - Malformed YAML

    @Test(arguments: [
        // Bad indentation: the value of `b` is indented less than its sibling.
        ("a:\n  b: 1\n c: 2\n", "test.yaml:3:2", "did not find expected key"),
        // An unclosed flow sequence.
        ("list: [a, b\nnext: 1\n", "test.yaml:2:5", "did not find expected ',' or ']'"),
        // A tab used for indentation.
        ("a:\n\tb: 1\n", "test.yaml:2:1", "found character that cannot start any token"),
        // A quote that never closes.
        ("a: \"open\n", "test.yaml:2:1", "found unexpected end of stream"),
        // The same without a final line break: reported at the end of the last line.
        ("a: \"open", "test.yaml:1:9", "found unexpected end of stream"),
    ])
    func parserReportsMalformedYAMLWithLibYAMLsProblemAndPosition(
        text: String, position: String, problem: String
    ) throws {
        let error = try #require(configurationError { _ = try parse(text) })
        #expect(error.code == .malformedInput)
        #expect(error.position?.description == position)
        #expect(error.message.contains(problem), "message: \(error.message)")
    }

    @Test func parserReportsInvalidUTF8AtItsPosition() throws {
        var bytes = Array("a: 1\nbb: x".utf8)
        bytes.append(0xFF)
        let error = try #require(configurationError { _ = try YAMLParser.parse(bytes: bytes, file: "bin.yaml") })
        #expect(error.code == .malformedInput)
        #expect(error.position?.description == "bin.yaml:2:6")
        #expect(error.message.contains("invalid leading UTF-8 octet"))
    }

    @Test func parserLimitsNestingDepth() throws {
        let deep =
            String(repeating: "[", count: YAMLParser.maximumDepth + 1)
            + String(repeating: "]", count: YAMLParser.maximumDepth + 1)
        let error = try #require(configurationError { _ = try parse(deep) })
        #expect(error.code == .malformedInput)
        #expect(error.message.contains("nesting deeper than"))
        let allowed =
            String(repeating: "[", count: YAMLParser.maximumDepth)
            + String(repeating: "]", count: YAMLParser.maximumDepth)
        #expect(throws: Never.self) { try parse(allowed) }
    }

    @Test func parserRefusesAliasBombs() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let items = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(items)]\n"
        }
        let error = try #require(configurationError { _ = try parse(text) })
        #expect(error.code == .malformedInput)
        #expect(error.message.contains("aliases expand"))
    }

    // MARK: - Files

    @Test func parserReportsMissingFilesByPath() throws {
        let error = try #require(
            configurationError {
                _ = try YAMLParser.parse(contentsOfFile: "/nonexistent/cairn/config.yaml")
            })
        #expect(error.code == .missingFile)
        #expect(error.message.contains("/nonexistent/cairn/config.yaml"))
    }

    @Test func parserNamesPositionsAfterTheFilePath() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("run.yaml", "a: 1\nb: [\n")
        let error = try #require(configurationError { _ = try YAMLParser.parse(contentsOfFile: path) })
        #expect(error.position?.file == path)
        #expect(error.position?.line == 3)
    }
}
