extension StrategyScaffold {
    // MARK: - Names

    /// Names that would make a module, type or kind Cairn already has: its own modules (`Core` → `CairnCore`),
    /// its shipped strategies (`DDP` → `CairnDDP` and kind `ddp`), and `Dist` (→ `DistStrategy`, the protocol).
    ///
    /// A scaffold with one of these names would not compile next to Cairn, in its repository or in a package
    /// that depends on it (two modules of one name cannot link together). Add a name here with each new module.
    public static let reservedNames: Set<String> = [
        "CLI", "Checkpoint", "Config", "Conformance", "Core", "Data", "DDP", "Dist", "Embedded", "FSDP", "Integration",
        "JSON", "LoRA", "MPI", "MPICheck", "NN", "Optim", "Safetensors", "Single", "SingleDevice", "Tensor", "Trainer",
        "ZeRO",
    ]

    /// The longest name accepted; file and type names grow from it.
    public static let maximumNameLength = 64

    /// `name` in snake_case, as a YAML kind: a word starts at an uppercase letter after a lowercase letter or a
    /// digit, and at the last capital of an acronym followed by a lowercase letter; digits stay with the word
    /// before them.
    ///
    /// `LocalSGD` → `local_sgd`, `SGDMomentum` → `sgd_momentum`, `FSDP2` → `fsdp2`, `Top2Gate` → `top2_gate`.
    /// Mixed-case acronyms split: `ZeRO` → `ze_ro`; edit `kind` in the generated strategy to choose otherwise.
    public static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let endsAcronym = previous.isUppercase && next?.isLowercase == true
                if previous.isLowercase || previous.isNumber || endsAcronym { result.append("_") }
            }
            result += character.lowercased()
        }
        return result
    }

    /// Checks that `name` can name a strategy.
    /// - Throws: ``ScaffoldError`` `.invalidName`, with what is wrong and a name that would work where one is clear.
    static func validate(_ name: String) throws(ScaffoldError) {
        func invalid(_ message: String) -> ScaffoldError {
            ScaffoldError(.invalidName, strategyName: name, message)
        }
        guard let first = name.first else {
            throw invalid("the name is empty; give an UpperCamelCase name such as LocalSGD")
        }
        guard name.count <= maximumNameLength else {
            throw invalid("the name has \(name.count) characters; use at most \(maximumNameLength)")
        }
        let isAllowed = { (character: Character) in character.isASCII && (character.isLetter || character.isNumber) }
        if let bad = name.first(where: { !isAllowed($0) }) {
            // Words joined by separators (`local_sgd`, `local-sgd`) have an obvious UpperCamelCase spelling.
            let separators: Set<Character> = ["_", "-", " ", "."]
            let words = name.split(whereSeparator: separators.contains)
            let example = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            let isClear = example.allSatisfy(isAllowed) && example.first?.isUppercase == true
            let hint = isClear ? "; try \(example)" : ""
            throw invalid("'\(bad)' is not allowed: use ASCII letters and digits in UpperCamelCase\(hint)")
        }
        guard first.isLetter else {
            throw invalid("a Swift identifier starts with a letter; give an UpperCamelCase name such as LocalSGD")
        }
        guard first.isUppercase else {
            throw invalid("""
                a strategy name starts with an uppercase letter (UpperCamelCase); try \(first.uppercased())\
                \(name.dropFirst())
                """)
        }
        if name.hasSuffix("Strategy") {
            let stem = name.dropLast("Strategy".count)
            let hint = stem.isEmpty ? "" : "; give \(stem), which makes \(stem)Strategy"
            throw invalid("leave out the 'Strategy' suffix, which the scaffold adds\(hint)")
        }
        let afterPrefix = name.dropFirst("Cairn".count)
        if name.hasPrefix("Cairn"), afterPrefix.isEmpty || afterPrefix.first?.isUppercase == true {
            let hint = afterPrefix.isEmpty ? "; give the strategy's own name" : "; give \(afterPrefix)"
            throw invalid("leave out the 'Cairn' prefix, which the module name adds\(hint)")
        }
        if reservedNames.contains(name) {
            throw invalid("Cairn already has a module or type made from this name (Cairn\(name), \(name)Strategy)")
        }
    }
}
