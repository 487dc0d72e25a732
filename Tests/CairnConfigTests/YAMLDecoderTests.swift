import CairnConfig
import CairnCore
import Testing

@Suite struct YAMLDecoderTests {
    // MARK: - Sample types

    struct Inner: Decodable, Equatable {
        var name: String
        var size: Int = 1
        enum CodingKeys: String, CodingKey { case name, size }

        init(name: String, size: Int) {
            self.name = name
            self.size = size
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            size = try container.decodeIfPresent(Int.self, forKey: .size) ?? 1
        }
    }

    struct Outer: Decodable {
        var title: String
        var ratio: Double
        var enabled: Bool
        var tags: [String]
        var inner: Inner
        var items: [Inner]
        var table: [String: Int]
        var note: String?
        enum CodingKeys: String, CodingKey { case title, ratio, enabled, tags, inner, items, table, note }
    }

    enum Color: String, Decodable, CaseIterable { case red, green, blue }

    struct Painted: Decodable {
        var color: Color
    }

    // MARK: - Nested decoding

    @Test func decoderDecodesNestedStructures() throws {
        let outer = try decode(
            Outer.self,
            """
            title: run
            ratio: 1.0e-4
            enabled: true
            tags: [a, 'b', "3"]
            inner: {name: x, size: 0x10}
            items:
              - name: first
              - {name: second, size: 2}
            table: {a: 1, b: 2}
            """)
        #expect(outer.title == "run")
        #expect(outer.ratio == 1e-4)
        #expect(outer.enabled)
        #expect(outer.tags == ["a", "b", "3"])
        #expect(outer.inner == Inner(name: "x", size: 16))
        #expect(outer.items == [Inner(name: "first", size: 1), Inner(name: "second", size: 2)])
        #expect(outer.table == ["a": 1, "b": 2])
        #expect(outer.note == nil)
    }

    @Test func decoderDecodesAliasedValuesAtEachUse() throws {
        let outer = try decode(
            [String: Inner].self,
            """
            a: &base {name: shared, size: 3}
            b: *base
            """)
        #expect(outer["a"] == outer["b"])
        #expect(outer["b"]?.size == 3)
    }

    @Test func nullSectionsReadAsEmptyCollections() throws {
        struct Lists: Decodable {
            var values: [Int]
            var table: [String: Int]
        }
        let lists = try decode(Lists.self, "values:\ntable: ~\n")
        #expect(lists.values.isEmpty)
        #expect(lists.table.isEmpty)
    }

    // MARK: - Errors

    @Test func wrongTypeSaysWhatWasExpectedAndFound() throws {
        let error = try #require(
            configurationError {
                _ = try decode(
                    Outer.self,
                    """
                    title: run
                    ratio: 0.1
                    enabled: true
                    tags: []
                    inner:
                      name: x
                      size: two
                    items: []
                    table: {}
                    """, file: "tiny.yaml")
            })
        #expect(error.code == .wrongType)
        #expect(error.description == "tiny.yaml:7:9: inner.size: expected an integer, found \"two\"")
    }

    @Test func wrongTypeInsideAListNamesTheIndex() throws {
        let error = try #require(
            configurationError {
                _ = try decode([Inner].self, "- name: a\n- name: b\n- name: c\n  size: 1.5\n")
            })
        #expect(error.code == .wrongType)
        #expect(error.description == "test.yaml:4:9: [2].size: expected an integer, found the number 1.5")
    }

    @Test func quotedNumbersAreStrings() throws {
        let error = try #require(configurationError { _ = try decode([String: Int].self, "a: '3'\n") })
        #expect(error.description == "test.yaml:1:4: a: expected an integer, found the quoted string \"3\"")
    }

    @Test func missingKeyIsReportedAtTheParentMapping() throws {
        let error = try #require(
            configurationError {
                _ = try decode(
                    Outer.self,
                    """
                    title: run
                    ratio: 1
                    enabled: false
                    tags: []
                    items: []
                    table: {}
                    inner:
                      size: 3
                    """)
            })
        #expect(error.code == .missingKey)
        #expect(error.description == "test.yaml:8:3: inner.name: missing required key 'name'")
    }

    @Test func unknownKeySuggestsTheClosestAskedKey() throws {
        let error = try #require(
            configurationError {
                _ = try decode(Inner.self, "name: x\nsiez: 3\n")
            })
        #expect(error.code == .unknownKey)
        #expect(error.description == "test.yaml:2:1: siez: unknown key 'siez'; did you mean 'size'?")
    }

    @Test func unknownKeysInNestedValuesCarryTheirPath() throws {
        let error = try #require(
            configurationError {
                _ = try decode([String: [Inner]].self, "group:\n  - name: a\n    colour: red\n    extra: 1\n")
            })
        #expect(error.code == .unknownKey)
        #expect(error.keyPath == "group[0].colour")
        #expect(error.position?.description == "test.yaml:3:5")
        #expect(error.message == "unknown key 'colour' (also unknown: 'extra')")
    }

    @Test func misspelledRequiredKeyIsReportedAsTheMisspelling() throws {
        let error = try #require(configurationError { _ = try decode(Inner.self, "nmae: x\n") })
        #expect(error.code == .unknownKey)
        #expect(error.description == "test.yaml:1:1: nmae: unknown key 'nmae'; did you mean 'name'?")
    }

    @Test func typesThatIgnoreTheDecoderReportEveryKey() throws {
        struct Nothing: Decodable {}
        #expect(throws: Never.self) { try decode(Nothing.self, "{}") }
        let error = try #require(configurationError { _ = try decode(Nothing.self, "stray: 1\n") })
        #expect(error.code == .unknownKey)
        #expect(error.position?.description == "test.yaml:1:1")
    }

    @Test func invalidEnumValueListsTheAllowedValues() throws {
        let error = try #require(configurationError { _ = try decode(Painted.self, "color: gren\n") })
        #expect(error.code == .invalidValue)
        #expect(
            error.description
                == "test.yaml:1:8: color: expected one of red, green, blue, found \"gren\"; did you mean 'green'?")
    }

    // MARK: - Errors thrown by a type's own init(from:)

    struct Checked: Decodable {
        var low: Int
        var high: Int
        enum CodingKeys: String, CodingKey { case low, high }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            low = try container.decode(Int.self, forKey: .low)
            high = try container.decode(Int.self, forKey: .high)
            if high < low {
                throw ConfigurationError(.invalidValue, keyPath: "high", "must be ≥ low (\(low))")
            }
            if high > 100 {
                throw DecodingError.dataCorruptedError(forKey: .high, in: container, debugDescription: "too high")
            }
            if low == 13 {
                throw ConfigurationError(.invalidValue, "unlucky")
            }
        }
    }

    @Test func positionlessErrorsFromTheTypeGetTheNodesPosition() throws {
        let relative = try #require(
            configurationError {
                _ = try decode([String: Checked].self, "range:\n  low: 5\n  high: 2\n")
            })
        #expect(relative.description == "test.yaml:3:9: range.high: must be ≥ low (5)")

        let bare = try #require(
            configurationError {
                _ = try decode([String: Checked].self, "range:\n  low: 13\n  high: 20\n")
            })
        #expect(bare.description == "test.yaml:2:3: range: unlucky")

        let decoding = try #require(
            configurationError {
                _ = try decode([String: Checked].self, "range:\n  low: 1\n  high: 200\n")
            })
        #expect(decoding.code == .invalidValue)
        #expect(decoding.description == "test.yaml:3:9: range.high: too high")
    }

    @Test func errorsWithAPositionAreNotOverridden() throws {
        struct Pinned: Decodable {
            init(from decoder: any Decoder) throws {
                throw ConfigurationError(
                    .invalidValue, keyPath: "elsewhere",
                    position: InputPosition(file: "other.yaml", line: 9, column: 9),
                    "kept")
            }
        }
        let error = try #require(configurationError { _ = try decode([String: Pinned].self, "a: 1\n") })
        #expect(error.description == "other.yaml:9:9: elsewhere: kept")
    }

    @Test func otherErrorsBecomeInvalidValuesWithTheirCause() throws {
        struct Failing: Decodable {
            struct Problem: Error, CustomStringConvertible { var description: String { "custom failure" } }
            init(from decoder: any Decoder) throws { throw Problem() }
        }
        let error = try #require(configurationError { _ = try decode([String: Failing].self, "a: 1\n") })
        #expect(error.code == .invalidValue)
        #expect(error.description == "test.yaml:1:4: a: invalid value\n  caused by: custom failure")
    }

    @Test func decodingASubtreeCanPrefixKeyPaths() throws {
        let root = try parse("datasets:\n  demo:\n    name: x\n    size: many\n")
        let entry = try #require(root["datasets"]?["demo"])
        let error = try #require(configurationError {
            _ = try YAMLDecoder().decode(Inner.self, from: entry, keyPath: "datasets.demo")
        })
        #expect(error.description == "test.yaml:4:11: datasets.demo.size: expected an integer, found \"many\"")
    }

    // MARK: - Files

    @Test func decodeFromFileNamesThePath() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("inner.yaml", "name: x\nsize: big\n")
        let error = try #require(configurationError { _ = try YAMLDecoder().decode(Inner.self, fromFile: path) })
        #expect(error.description == "\(path):2:7: size: expected an integer, found \"big\"")
    }
}
