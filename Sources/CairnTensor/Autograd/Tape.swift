import Synchronization

/// An autograd tape: ops record a backward closure per output while the tape records, and ``backward(from:onMarker:)``
/// replays them in reverse.
///
/// Recording is scoped with ``record(_:)`` (a task-local, so it follows `async` code); with no tape
/// recording, ops only compute. An op records a node only when some input requires a gradient, and its output
/// then requires one too. Backward seeds d(loss)/d(loss) = 1, walks the nodes in reverse, frees each node (its
/// saved activations) and each intermediate gradient as soon as it is consumed, and accumulates (`+=`) into the
/// ``Tensor/grad`` of every leaf with ``Tensor/requiresGrad``, so gradients of several micro-steps add up.
///
/// A tape belongs to one rank's task and is not `Sendable`.
public final class Tape {
    /// The tape recording in the current task, wrapped so it can live in a task-local.
    @TaskLocal static var recordingReference: Reference?

    /// A tape reference that can be stored in a task-local.
    ///
    /// `@unchecked Sendable`: a task-local is visible to child tasks, but Cairn records from one rank's task only
    /// (kernels' worker threads never read the task-local), so the tape is never used from two threads at once.
    struct Reference: @unchecked Sendable {
        let tape: Tape
    }

    private static let graphCounter = Atomic<UInt64>(0)

    /// The identity of the current recording; outputs carry it so a new recording ignores stale graphs.
    private(set) var graphID: UInt64
    private var entries: [Entry] = []
    private var slotCount = 0

    /// What the tape holds, in recording order.
    private enum Entry {
        case operation(Operation)
        case marker(TapeMarker)
    }

    /// One recorded output and how to send its gradient to the op's inputs.
    struct Operation {
        /// The op's name, for profiles.
        let name: StaticString
        /// The output's gradient slot.
        let outputSlot: Int
        /// Receives the output's gradient and accumulates the inputs' gradients into the context.
        let backward: (Tensor, Gradients) -> Void
    }

    /// Creates an empty tape.
    public init() {
        graphID = Self.makeGraphID()
    }

    // MARK: - Recording

    /// The tape recording now, if any; ops consult it.
    public static var current: Tape? { recordingReference?.tape }

    /// Runs `body` with this tape as the recording tape.
    public func record<R>(_ body: () async throws -> R) async rethrows -> R {
        try await Tape.$recordingReference.withValue(Reference(tape: self)) { try await body() }
    }

    /// Runs synchronous `body` with this tape as the recording tape.
    public func record<R>(_ body: () throws -> R) rethrows -> R {
        try Tape.$recordingReference.withValue(Reference(tape: self)) { try body() }
    }

    /// Inserts a marker: the model calls these around each parameter unit.
    public func mark(_ marker: TapeMarker) {
        entries.append(.marker(marker))
    }

    /// The number of recorded op outputs (not markers) waiting for backward.
    public var recordedOperationCount: Int {
        entries.reduce(0) { count, entry in
            if case .operation = entry { return count + 1 }
            return count
        }
    }

    /// Forgets everything recorded (frees saved activations) without running backward.
    public func reset() {
        entries = []
        slotCount = 0
        graphID = Self.makeGraphID()
    }

    // MARK: - Backward

    /// Runs the recorded backward closures in reverse order, seeding d(loss)/d(loss) = 1, and accumulates into the
    /// `grad` of every leaf with `requiresGrad`.
    ///
    /// Calls `onMarker` when the reverse walk reaches a marker (it may run collectives). The tape is cleared
    /// afterwards, also when this throws, so saved activations are freed either way.
    ///
    /// - Parameters:
    ///   - loss: A one-element tensor this tape recorded.
    ///   - onMarker: Called for each marker, last recorded first.
    /// - Throws: ``TensorError`` with code `lossNotScalar` or `lossNotRecorded`; any error `onMarker` throws.
    public func backward(from loss: Tensor, onMarker: ((TapeMarker) async throws -> Void)? = nil) async throws {
        defer { reset() }
        let gradients = try seededGradients(loss: loss)
        let profile = OperationProfile.active
        while let entry = entries.popLast() {
            switch entry {
            case .marker(let marker):
                try await onMarker?(marker)
            case .operation(let operation):
                guard let outputGradient = gradients.take(slot: operation.outputSlot) else { continue }
                if let profile {
                    let start = ContinuousClock.now
                    operation.backward(outputGradient, gradients)
                    profile.add(
                        operation.name.description, backward: true, seconds: (ContinuousClock.now - start).seconds)
                } else {
                    operation.backward(outputGradient, gradients)
                }
            }
        }
    }

    private func seededGradients(loss: Tensor) throws(TensorError) -> Gradients {
        guard loss.count == 1 else {
            throw TensorError(
                .lossNotScalar, context: "loss shape \(loss.shape)",
                "backward needs a one-element loss; reduce it first (sum, crossEntropy)")
        }
        guard loss.graphID == graphID, loss.gradientSlot >= 0 else {
            throw TensorError(
                .lossNotRecorded, context: "\(loss)",
                "this tape did not record the loss: compute it inside tape.record { } from tensors that require "
                    + "gradients, and call backward once per recording")
        }
        let gradients = Gradients(graphID: graphID, slotCount: slotCount)
        gradients.accumulate(Tensor.filled(loss.shape, with: 1), into: loss)
        return gradients
    }

    // MARK: - Recording API for ops

    /// Whether gradients for `tensor` are wanted in this recording: a leaf that requires one, or an output
    /// recorded on this tape.
    func tracks(_ tensor: Tensor) -> Bool {
        tensor.requiresGrad && (tensor.graphID == 0 || tensor.graphID == graphID)
    }

    /// Records `output` as produced by an op whose backward is `backward`, and marks it as requiring a gradient.
    func record(output: Tensor, name: StaticString, backward: @escaping (Tensor, Gradients) -> Void) {
        output.requiresGrad = true
        output.graphID = graphID
        output.gradientSlot = slotCount
        entries.append(.operation(Operation(name: name, outputSlot: slotCount, backward: backward)))
        slotCount += 1
    }

    private static func makeGraphID() -> UInt64 {
        graphCounter.add(1, ordering: .relaxed).newValue
    }
}

@available(*, unavailable)
extension Tape: Sendable {}
