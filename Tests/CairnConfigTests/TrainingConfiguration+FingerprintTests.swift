import CairnConfig
import CairnCore
import Foundation
import Testing

@Suite struct TrainingConfigurationFingerprintTests {
    private func configuration(_ text: String) throws -> TrainingConfiguration {
        try decode(TrainingConfiguration.self, text)
    }

    private let base = """
        model: m
        train_dataset: d.yaml
        output_dir: out
        learning_rate: 1e-4
        peft_config: {name: lora, r: 16, target_modules: [q_proj, v_proj]}
        """

    @Test func equivalentSpellingsHashAlike() throws {
        let reference = try configuration(base)
        let respelled = try configuration(
            """
            output_dir: "out"
            peft_config:
              target_modules: ['q_proj', "v_proj"]
              r: 0x10
              name: lora
            learning_rate: 0.0001
            train_dataset: d.yaml
            model: m
            seed: 42
            global_batch_size: 1
            """)
        #expect(respelled.hash == reference.hash)
        #expect(respelled.changes(from: reference).isEmpty)
    }

    @Test func anyChangedValueChangesTheHash() throws {
        let reference = try configuration(base).hash
        let peft = "peft_config: {name: lora, r: 16, target_modules: [q_proj, v_proj]}"
        for extra in ["seed: 43", "max_steps: 10", "dist_config: {name: ddp}", "template: chatml", "save_async: true"] {
            #expect(try configuration(base + "\n" + extra).hash != reference, "\(extra)")
        }
        let smallerRank = base.replacingOccurrences(of: peft, with: "peft_config: {name: lora, r: 8}")
        #expect(try configuration(smallerRank).hash != reference)
    }

    /// A golden value: the normalized form and FNV-1a must not drift, or recorded checkpoint hashes stop matching.
    @Test func hashIsStableAcrossProcesses() throws {
        let c = try configuration(base)
        #expect(c.hashHex.count == 16)
        #expect(c.hashHex == String(c.hash, radix: 16).leftPadded(to: 16))
        #expect(c.normalizedText.contains("learning_rate: 0.0001\n"))
        #expect(c.normalizedText.contains("peft_config.target_modules: [\"q_proj\", \"v_proj\"]\n"))
        #expect(c.hashHex == Self.goldenHash, "normalized text:\n\(c.normalizedText)")
    }

    /// Checked against an independent FNV-1a (Python) over the normalized text printed on failure.
    static let goldenHash = "c68a9893febd52cf"  // since ddp_timeout joined the normalized form

    @Test func changesListWhatDiffersAndWhichChangesBlockResume() throws {
        let before = try configuration(base)
        let after = try configuration(
            base.replacingOccurrences(of: "1e-4", with: "2e-4")
                .replacingOccurrences(of: "model: m", with: "model: m2") + "\nglobal_batch_size: 4\nmicro_batch_size: 2"
        )
        let changes = after.changes(from: before)
        #expect(
            changes.map(\.description) == [
                "global_batch_size changed 1 → 4",
                "learning_rate changed 0.0001 → 0.0002",
                "micro_batch_size changed 1 → 2",
                "model changed \"m\" → \"m2\"",
            ])
        #expect(changes.filter(\.blocksResume).map(\.key) == ["global_batch_size", "model"])
        let withoutPEFT = try configuration("model: m\ntrain_dataset: d.yaml\noutput_dir: out\nlearning_rate: 1e-4")
        #expect(
            withoutPEFT.changes(from: before).map(\.description) == [
                "peft_config.name removed (was \"lora\")",
                "peft_config.r removed (was 16)",
                "peft_config.target_modules removed (was [\"q_proj\", \"v_proj\"])",
            ])
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
