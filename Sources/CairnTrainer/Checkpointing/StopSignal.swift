import Dispatch
import Foundation
import Synchronization

/// A request to stop training early, set by SIGTERM or SIGINT (preemption, Ctrl-C) or by code.
///
/// The trainer checks it at every step boundary; every rank agrees on it through the step's loss all-reduce, so all
/// ranks stop after the same step, save one checkpoint together, and exit cleanly. A second SIGINT exits at once
/// without saving, for a user who really means it.
public final class StopSignal: Sendable {
    private let requests = Atomic<Int>(0)
    private let stepLimit = Atomic<Int>(.max)
    private let sources = Mutex<[SignalSource]>([])

    /// Creates a signal that nothing has requested yet.
    public init() {}

    /// Whether a stop was requested.
    public var isRequested: Bool { requests.load(ordering: .acquiring) > 0 }

    /// Requests a stop (as SIGTERM does).
    public func request() {
        requests.add(1, ordering: .acquiringAndReleasing)
    }

    /// Requests a stop once global step `step` completes, as a preemption at that moment would (tests, and
    /// `cairn train --stop-after-step`).
    public func request(afterStep step: Int) {
        stepLimit.store(step, ordering: .releasing)
    }

    /// Whether the run should stop after the step that completes global step `step`.
    public func isRequested(afterStep step: Int) -> Bool {
        isRequested || step >= stepLimit.load(ordering: .acquiring)
    }

    /// Routes SIGTERM and SIGINT to this signal instead of killing the process; `announce` is told what happens.
    public func installHandlers(announce: @escaping @Sendable (String) -> Void) {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let previous = self.requests.add(1, ordering: .acquiringAndReleasing).oldValue
                let name = signalNumber == SIGTERM ? "SIGTERM" : "SIGINT"
                if previous == 0 {
                    announce("\(name): finishing the current step, saving a checkpoint, then exiting (SIGINT again aborts without saving)")
                } else if signalNumber == SIGINT {
                    announce("\(name) again: exiting now without saving; the last committed checkpoint is intact")
                    exit(130)
                }
            }
            source.resume()
            let retained = SignalSource(source: source)
            sources.withLock { $0.append(retained) }
        }
    }
}

/// Keeps a dispatch signal source alive for the life of its ``StopSignal``.
///
/// `@unchecked Sendable`: dispatch sources are thread-safe objects; this wrapper only holds a reference so the
/// source is not deallocated (which would cancel it).
private struct SignalSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
}
