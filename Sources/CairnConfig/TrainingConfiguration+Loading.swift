public import CairnCore

extension TrainingConfiguration {
    /// Loads a configuration: parses `file`, applies `overrides` (`key=value`), decodes and validates.
    ///
    /// ```swift
    /// let configuration = try TrainingConfiguration.load(file: "tiny.yaml", overrides: ["max_steps=200"])
    /// ```
    /// - Throws: ``ConfigurationError``: `.missingFile` (the YAML file, the model folder, the dataset spec),
    ///   `.malformedInput` (YAML or an override), `.unknownKey`, `.missingKey`, `.wrongType`, `.outOfRange`,
    ///   `.invalidValue` — each with its key path and position.
    public static func load(file: String, overrides: [String] = []) throws(ConfigurationError) -> TrainingConfiguration
    {
        let parsedOverrides = try ConfigurationOverride.parse(overrides)
        let root = try YAMLParser.parse(contentsOfFile: file).applying(parsedOverrides)
        var configuration = try YAMLDecoder().decode(TrainingConfiguration.self, from: root)
        configuration.sourceFile = file
        try configuration.validate()
        return configuration
    }
}
