import ArgumentParser

/// The `cairn` command-line tool.
@main
struct CairnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Train decoder language models that resume exactly.",
        discussion: """
            Configs are LlamaFactory-v1-style YAML; `key=value` arguments after the file override keys \
            (dotted for nesting: dist_config.world_size=2).
            """,
        subcommands: [
            Train.self, Validate.self, Generate.self, Verify.self, Inspect.self, List.self, Export.self, Bench.self,
            NewStrategy.self, Logits.self,
        ])
}
