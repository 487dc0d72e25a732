import CairnCore
import Testing

@Suite struct PhiloxRandomTests {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test func philoxMatchesRandom123KnownAnswers() {
        var zero = PhiloxRandom(seed: 0, stream: 0)
        #expect([zero.next32(), zero.next32(), zero.next32(), zero.next32()]
                == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])

        var ones = PhiloxRandom(seed: .max, stream: .max, blockCounter: .max, wordIndex: 4)
        #expect([ones.next32(), ones.next32(), ones.next32(), ones.next32()]
                == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])

        var pi = PhiloxRandom(seed: 0x299f_31d0_a409_3822, stream: 0x0370_7344_1319_8a2e,
                              blockCounter: 0x85a3_08d3_243f_6a88, wordIndex: 4)
        #expect([pi.next32(), pi.next32(), pi.next32(), pi.next32()]
                == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    @Test(arguments: [0, 1, 3, 4, 5, 17])
    func philoxResumesFromSavedPosition(draws: Int) {
        var original = PhiloxRandom(seed: 42, label: "data.epoch.0")
        for _ in 0..<draws { _ = original.next32() }
        var restored = PhiloxRandom(seed: original.seed, stream: original.stream,
                                    blockCounter: original.blockCounter, wordIndex: original.wordIndex)
        #expect(restored == original)
        let expected = (0..<9).map { _ in original.next32() }
        let actual = (0..<9).map { _ in restored.next32() }
        #expect(actual == expected)
    }

    @Test func philoxStreamsAreIndependentOfEachOther() {
        var a = PhiloxRandom(seed: 7, label: "model.layers.0.mlp.up_proj.weight")
        var b = PhiloxRandom(seed: 7, label: "model.layers.0.mlp.down_proj.weight")
        #expect((0..<8).map { _ in a.next() } != (0..<8).map { _ in b.next() })
    }

    @Test func uniformStaysInUnitInterval() {
        var generator = PhiloxRandom(seed: 1)
        for _ in 0..<10_000 {
            let u = generator.nextUniform()
            #expect(u >= 0 && u < 1)
        }
    }
}
