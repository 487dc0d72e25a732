extension Tape {
    /// The tape an op records on: the current tape, when at least one of `inputs` needs a gradient from it.
    static func recording(for inputs: Tensor...) -> Tape? {
        guard let tape = current else { return nil }
        for input in inputs where tape.tracks(input) { return tape }
        return nil
    }
}
