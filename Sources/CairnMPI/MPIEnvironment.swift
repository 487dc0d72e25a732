import CairnCore
internal import CMPI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MPI library of this process: initialized once, finalized when the process exits.
///
/// ``initialize(requiredThreadLevel:)`` calls `MPI_Init_thread` asking for `MPI_THREAD_MULTIPLE`. Swift runs
/// async code on a pool of threads, so Cairn needs at least `MPI_THREAD_SERIALIZED`; when that is all the library
/// provides, every MPI call Cairn makes goes through one process-wide lock. Either way a ``MPICommunicator``
/// runs one collective at a time, so collectives started from different tasks never overlap.
///
/// MPI is finalized by an `atexit` handler, unless a collective was abandoned (timed out or failed with its
/// request still pending): `MPI_Finalize` could then wait for it forever, so the process exits without it and
/// the launcher reports the rank as failed, which is what it is.
///
/// Works without a launcher too: MPICH then starts a singleton world of size 1.
public final class MPIEnvironment: Sendable {
    /// How many threads may call MPI at once, as `MPI_Init_thread` reports it.
    public enum ThreadLevel: Int, Comparable, Sendable, CustomStringConvertible {
        /// One thread only (`MPI_THREAD_SINGLE`).
        case single
        /// Only the thread that initialized MPI (`MPI_THREAD_FUNNELED`).
        case funneled
        /// Any thread, one at a time (`MPI_THREAD_SERIALIZED`).
        case serialized
        /// Any threads at once (`MPI_THREAD_MULTIPLE`).
        case multiple

        public static func < (lhs: ThreadLevel, rhs: ThreadLevel) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .single: "MPI_THREAD_SINGLE"
            case .funneled: "MPI_THREAD_FUNNELED"
            case .serialized: "MPI_THREAD_SERIALIZED"
            case .multiple: "MPI_THREAD_MULTIPLE"
            }
        }
    }

    /// This process's rank in `MPI_COMM_WORLD`.
    public let rank: Int
    /// The size of `MPI_COMM_WORLD`.
    public let worldSize: Int
    /// The first line of `MPI_Get_library_version`, such as `MPICH Version: 4.0.2`.
    public let libraryVersion: String
    /// The whole `MPI_Get_library_version` text (MPICH adds its configure options).
    public let libraryVersionDetails: String
    /// The thread support MPI provides.
    public let threadLevel: ThreadLevel
    /// The launcher variables found at initialization; `nil` for a singleton started without a launcher.
    public let launch: MPILaunch?

    /// Serializes MPI calls when ``threadLevel`` is below `.multiple`.
    private let callLock = Mutex(())

    private struct ProcessState {
        var environment: MPIEnvironment?
        var hasAbandonedRequests = false
        var isExitHandlerInstalled = false
    }

    private static let processState = Mutex(ProcessState())

    private init(rank: Int, worldSize: Int, version: String, threadLevel: ThreadLevel, launch: MPILaunch?) {
        self.rank = rank
        self.worldSize = worldSize
        self.libraryVersionDetails = version
        let firstLine = version.split(whereSeparator: \.isNewline).first.map(String.init) ?? version
        self.libraryVersion = firstLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).joined(separator: " ")
        self.threadLevel = threadLevel
        self.launch = launch
    }

    // MARK: - Initialization

    /// The environment, if MPI was already initialized through ``initialize(requiredThreadLevel:)``.
    public static var current: MPIEnvironment? {
        processState.withLock { $0.environment }
    }

    /// Initializes MPI for this process, or returns the environment of an earlier call.
    ///
    /// - Parameter requiredThreadLevel: the thread support to ask for; `.multiple` by default. Asking for
    ///   `.serialized` makes Cairn lock around every MPI call, which tests use to exercise that path. Ignored
    ///   once MPI is initialized.
    /// - Throws: ``CommunicatorError`` `.transport` when MPI was finalized already, or provides less than
    ///   `MPI_THREAD_SERIALIZED` (Swift's thread pool calls MPI from several threads).
    public static func initialize(requiredThreadLevel: ThreadLevel = .multiple) throws -> MPIEnvironment {
        try processState.withLock { state throws(CommunicatorError) -> MPIEnvironment in
            if let environment = state.environment { return environment }
            let launch = MPILaunch.detect()
            func failure(_ message: String) -> CommunicatorError {
                CommunicatorError(.transport, rank: launch?.rank ?? 0, collective: "MPI_Init_thread",
                                  worldSize: launch?.worldSize ?? 0, message)
            }
            var flag: Int32 = 0
            MPI_Finalized(&flag)
            if flag != 0 { throw failure("MPI was finalized already; it cannot be initialized again in this process") }
            var provided: Int32 = 0
            MPI_Initialized(&flag)
            if flag != 0 {
                MPI_Query_thread(&provided)
            } else {
                let code = MPI_Init_thread(nil, nil, requiredThreadLevel.mpiValue, &provided)
                guard code == cairn_mpi_success() else {
                    throw failure("MPI_Init_thread failed: \(errorString(code))")
                }
            }
            if !state.isExitHandlerInstalled {
                atexit { MPIEnvironment.finalizeAtExit() }
                state.isExitHandlerInstalled = true
            }
            let level = ThreadLevel(mpiValue: provided)
            guard level >= .serialized else {
                throw failure(
                    "MPI provides only \(level); Cairn calls MPI from Swift's thread pool and needs "
                        + "MPI_THREAD_SERIALIZED or MPI_THREAD_MULTIPLE (use an MPI built with thread support)")
            }
            MPI_Comm_set_errhandler(cairn_mpi_comm_world(), cairn_mpi_errors_return())
            var rank: Int32 = 0
            var size: Int32 = 0
            MPI_Comm_rank(cairn_mpi_comm_world(), &rank)
            MPI_Comm_size(cairn_mpi_comm_world(), &size)
            let environment = MPIEnvironment(
                rank: Int(rank), worldSize: Int(size), version: libraryVersionText(), threadLevel: level,
                launch: launch)
            state.environment = environment
            return environment
        }
    }

    // MARK: - Calling MPI

    /// Runs one MPI call, under the process-wide lock when MPI is only `MPI_THREAD_SERIALIZED`.
    func call(_ body: () -> Int32) -> Int32 {
        if threadLevel == .multiple { return body() }
        return callLock.withLock { _ in body() }
    }

    /// Records that a request was left pending, so the exit handler must not call `MPI_Finalize`.
    func abandonPendingRequest() {
        Self.processState.withLock { $0.hasAbandonedRequests = true }
    }

    /// The text of an MPI error code (`MPI_Error_string`) with its error class.
    static func errorString(_ code: Int32) -> String {
        let capacity = Int(cairn_mpi_max_error_string()) + 1
        var buffer = [CChar](repeating: 0, count: capacity)
        var length: Int32 = 0
        let text = buffer.withUnsafeMutableBufferPointer { characters -> String in
            guard MPI_Error_string(code, characters.baseAddress, &length) == cairn_mpi_success() else {
                return "unknown MPI error"
            }
            return String(decoding: characters.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return "\(text) (MPI error \(code), class \(errorClass(code)))"
    }

    /// The error class of an MPI error code.
    static func errorClass(_ code: Int32) -> Int32 {
        var errorClass: Int32 = 0
        guard MPI_Error_class(code, &errorClass) == cairn_mpi_success() else { return code }
        return errorClass
    }

    // MARK: - Private helpers

    private static func libraryVersionText() -> String {
        let capacity = Int(cairn_mpi_max_library_version_string()) + 1
        var buffer = [CChar](repeating: 0, count: capacity)
        var length: Int32 = 0
        return buffer.withUnsafeMutableBufferPointer { characters -> String in
            guard MPI_Get_library_version(characters.baseAddress, &length) == cairn_mpi_success() else {
                return "unknown MPI"
            }
            let bytes = characters.prefix(Int(length)).map { UInt8(bitPattern: $0) }.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self).trimmingTrailingWhitespace()
        }
    }

    private static func finalizeAtExit() {
        let hasAbandonedRequests = processState.withLock { $0.hasAbandonedRequests }
        guard !hasAbandonedRequests else { return }
        var flag: Int32 = 0
        MPI_Initialized(&flag)
        guard flag != 0 else { return }
        MPI_Finalized(&flag)
        guard flag == 0 else { return }
        MPI_Finalize()
    }
}

// MARK: - Thread levels

extension MPIEnvironment.ThreadLevel {
    fileprivate var mpiValue: Int32 {
        switch self {
        case .single: cairn_mpi_thread_single()
        case .funneled: cairn_mpi_thread_funneled()
        case .serialized: cairn_mpi_thread_serialized()
        case .multiple: cairn_mpi_thread_multiple()
        }
    }

    fileprivate init(mpiValue: Int32) {
        switch mpiValue {
        case cairn_mpi_thread_multiple(): self = .multiple
        case cairn_mpi_thread_serialized(): self = .serialized
        case cairn_mpi_thread_funneled(): self = .funneled
        default: self = .single
        }
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
