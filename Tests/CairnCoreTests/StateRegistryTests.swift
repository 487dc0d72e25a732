import CairnCore
import Testing

private final class Counter: StatefulComponent {
    var steps: Int64 = 0
    func stateDict() -> StateDict { StateDict([("steps", .int(steps))]) }
    func loadStateDict(_ dict: StateDict, options: LoadOptions) throws {
        try dict.checkKeys(["steps"], options: options)
        if dict["steps"] != nil { steps = try dict.int("steps") }
    }
}

@Suite struct StateRegistryTests {
    @Test func registryPrefixesKeysWithNamespaces() throws {
        let registry = StateRegistry()
        let counter = Counter()
        counter.steps = 5
        try registry.register(counter, under: .trainState)
        try registry.register(Counter(), under: .strategy, subkey: "ema")
        #expect(try registry.stateDict().keys == ["strategy.ema.steps", "train_state.steps"])
    }

    @Test func registryRejectsOverlappingRegistrations() throws {
        let registry = StateRegistry()
        try registry.register(Counter(), under: .strategy)
        #expect(throws: RegistryError.self) { try registry.register(Counter(), under: .strategy, subkey: "ema") }
    }

    @Test func registryRoundTripsIntoFreshComponents() throws {
        let source = StateRegistry()
        let counter = Counter()
        counter.steps = 41
        try source.register(counter, under: .trainState)
        let target = StateRegistry()
        let fresh = Counter()
        try target.register(fresh, under: .trainState)
        try target.load(source.stateDict())
        #expect(fresh.steps == 41)
    }

    @Test func strictLoadNamesTheAbsoluteKey() throws {
        let registry = StateRegistry()
        try registry.register(Counter(), under: .trainState)
        var dict = StateDict()
        dict["train_state.steps"] = .int(1)
        dict["train_state.extra"] = .int(2)
        let error = try #require(throws: StateDictError.self) { try registry.load(dict) }
        #expect(error.code == .unexpectedKey)
        #expect(error.key == "train_state.extra")

        var stray = StateDict()
        stray["train_state.steps"] = .int(1)
        stray["rng.seed"] = .int(1)
        #expect(throws: StateDictError.self) { try registry.load(stray) }
        try registry.load(stray, options: .allowUnexpectedKeys)
    }

    @Test func wrongTypeIsReported() throws {
        let registry = StateRegistry()
        try registry.register(Counter(), under: .trainState)
        var dict = StateDict()
        dict["train_state.steps"] = .string("five")
        let error = try #require(throws: StateDictError.self) { try registry.load(dict) }
        #expect(error.code == .wrongType)
        #expect(error.key == "train_state.steps")
    }
}
