import CairnConfig
import CairnCore
import Foundation
import Testing

/// Hostile input never crashes: each text either decodes or throws `ConfigurationError`.
@Suite struct HostileInputTests {
    /// Any YAML value; decoding it walks the whole tree through the decoder.
    enum AnyValue: Decodable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case list([AnyValue])
        case table([String: AnyValue])

        init(from decoder: any Decoder) throws {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
                return
            }
            if let value = try? single.decode(Bool.self) {
                self = .bool(value)
                return
            }
            if let value = try? single.decode(Int.self) {
                self = .int(value)
                return
            }
            if let value = try? single.decode(Double.self) {
                self = .double(value)
                return
            }
            if let value = try? single.decode(String.self) {
                self = .string(value)
                return
            }
            if let value = try? single.decode([AnyValue].self) {
                self = .list(value)
                return
            }
            self = .table(try single.decode([String: AnyValue].self))
        }
    }

    enum Outcome: Equatable { case decoded, rejected }

    /// Parses and decodes `bytes` as a training configuration and (when `generic`) as any value; returns
    /// whether the generic decode succeeded, recording an issue for any error that is not a `ConfigurationError`.
    @discardableResult
    static func exercise(
        _ bytes: [UInt8], generic: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Outcome {
        var outcome = Outcome.rejected
        do {
            let root = try YAMLParser.parse(bytes: bytes, file: "hostile.yaml")
            _ = root.description
            if generic, (try? YAMLDecoder().decode(AnyValue.self, from: root)) != nil { outcome = .decoded }
            _ = try YAMLDecoder().decode(TrainingConfiguration.self, from: root)
        } catch let error as ConfigurationError {
            _ = error.description
        } catch {
            Issue.record("not a ConfigurationError: \(error)", sourceLocation: sourceLocation)
        }
        return outcome
    }

    static let seeds: [String] = [
        TrainingConfigurationTests.complete,
        """
        base: &b {lr: 1e-4, list: [1, 2.5, "three", 'four', ~, true]}
        copy: *b
        block: |
          literal text
          over lines
        folded: >
          folded
          text
        ? plain key
        : value
        "quoted key": [a, {b: c}, [d, e]]
        """,
    ]

    // MARK: - Generated mutations

    /// Byte-flip rounds: 400 normally, 40,000 under `make stress` (`CAIRN_STRESS=1`).
    static let flipRounds = ProcessInfo.processInfo.environment["CAIRN_STRESS"] == "1" ? 40_000 : 400

    @Test func truncationsNeverCrash() {
        var count = 0
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            for length in stride(from: 0, through: bytes.count, by: 3) {
                Self.exercise(Array(bytes[..<length]))
                count += 1
            }
        }
        #expect(count > 300)
    }

    @Test func randomByteFlipsNeverCrash() {
        var random = PhiloxRandom(seed: 2024, label: "config.hostile.flips")
        let interesting: [UInt8] = [
            0x00, 0xFF, 0xC0, 0x80, 0xED, 0x09, 0x0A, 0x0D, 0x22, 0x27, 0x3A, 0x2D, 0x5B,
            0x5D, 0x7B, 0x7D, 0x26, 0x2A, 0x21, 0x23, 0x7C, 0x3E, 0x25, 0x40, 0x60, 0x3F,
        ]
        var decoded = 0
        for round in 0..<Self.flipRounds {
            var bytes = Array(Self.seeds[round % Self.seeds.count].utf8)
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] =
                    random.next() % 2 == 0
                    ? interesting[Int(random.next() % UInt64(interesting.count))]
                    : UInt8(truncatingIfNeeded: random.next())
            }
            if Self.exercise(bytes) == .decoded { decoded += 1 }
        }
        // Some mutations leave valid YAML, some do not: both paths ran.
        #expect(decoded > 0 && decoded < Self.flipRounds)
    }

    @Test func nulBytesAndInvalidUTF8AreRejectedCleanly() {
        let base = Array("model: m\ntrain_dataset: d\noutput_dir: o\n".utf8)
        let insertions: [[UInt8]] = [
            [0x00], [0xFF], [0xC0, 0x80], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
            [0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0x1B], [0x7F],
        ]
        for insertion in insertions {
            for index in stride(from: 0, through: base.count, by: 4) {
                var bytes = base
                bytes.insert(contentsOf: insertion, at: index)
                Self.exercise(bytes)
            }
        }
        let nul = configurationError { _ = try YAMLParser.parse(bytes: Array("a: b\u{0}c\n".utf8), file: "nul.yaml") }
        #expect(nul?.code == .malformedInput)
        #expect(nul?.position?.description == "nul.yaml:1:5")
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let depth = 10_000
        let flowSequence = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let flowMapping = String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
        let blockSequence = String(repeating: "- ", count: depth) + "x\n"
        let unclosed = String(repeating: "[", count: depth)
        for text in [flowSequence, flowMapping, blockSequence, unclosed] {
            #expect(Self.exercise(Array(text.utf8)) == .rejected)
        }
        // The deepest accepted document (the scalar is the last level) decodes through the generic decoder.
        let deepest =
            String(repeating: "[", count: YAMLParser.maximumDepth - 1) + "1"
            + String(repeating: "]", count: YAMLParser.maximumDepth - 1)
        #expect(Self.exercise(Array(deepest.utf8)) == .decoded)
    }

    @Test func aliasBombsAreRefused() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...12 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        #expect(Self.exercise(Array(text.utf8)) == .rejected)
    }

    @Test func randomOverridesNeverCrash() throws {
        var random = PhiloxRandom(seed: 7, label: "config.hostile.overrides")
        let alphabet = Array("ab.=[]{},: '\"\\#&*!|>-_0123456789\u{0}é")
        let root = try parse(TrainingConfigurationTests.complete)
        for _ in 0..<300 {
            let length = Int(random.next() % 16)
            let argument = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            do {
                let overrides = try ConfigurationOverride.parse(["seed=1", argument])
                _ = try YAMLDecoder().decode(TrainingConfiguration.self, from: root.applying(overrides))
            } catch {
                // Typed throws: every failure here is a ConfigurationError by construction.
                _ = error.description
            }
        }
    }

    // MARK: - Size

    struct Entry: Decodable {
        var name: String
        var rate: Double
        var enabled: Bool
        var tags: [String]
        var nested: Nested

        struct Nested: Decodable {
            var depth: Int
            var ratio: Double
            var note: String?
        }
    }

    /// About 1 MB of configuration-like YAML; parsing and decoding are timed and printed (run in release for the
    /// figures: `swift test -c release --filter oneMegabyteDocument`).
    @Test func oneMegabyteDocumentParsesAndDecodes() throws {
        var text = ""
        var index = 0
        while text.utf8.count < 1_000_000 {
            text += """
                entry_\(index):
                  name: "item \(index)"
                  rate: \(Double(index) * 1.5e-4)
                  enabled: \(index % 2 == 0)
                  tags: [alpha, beta, 'gamma', \(index)]
                  nested: {depth: 2, ratio: .5, note: null}

                """
            index += 1
        }
        let bytes = Array(text.utf8)
        let clock = ContinuousClock()
        var root: YAMLNode?
        let parseTime = try clock.measure { root = try YAMLParser.parse(bytes: bytes, file: "big.yaml") }
        let tree = try #require(root)
        var entries: [String: Entry] = [:]
        let decodeTime = try clock.measure { entries = try YAMLDecoder().decode([String: Entry].self, from: tree) }
        #expect(entries.count == index)
        #expect(entries["entry_7"]?.tags == ["alpha", "beta", "gamma", "7"])
        #expect(tree.mappingPairs?.last?.key.position.line == (index - 1) * 6 + 1)
        Self.exercise(bytes, generic: false)
        print("1 MB YAML (\(bytes.count) bytes, \(index) entries): parse \(parseTime), typed decode \(decodeTime)")
    }
}
