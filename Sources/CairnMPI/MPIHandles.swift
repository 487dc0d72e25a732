import CairnCore
internal import CMPI

/// An MPI handle carried across tasks.
///
/// `@unchecked Sendable` because MPI handles are plain integers in MPICH but pointers to library objects in
/// OpenMPI, which Swift does not consider `Sendable`. A handle is an immutable name for an object MPI owns and
/// synchronizes itself (see ``MPIEnvironment/call(_:)`` for the serialized case), so sharing the name is safe.
struct MPIHandle<Value>: @unchecked Sendable {
    let value: Value
}

extension CollectiveScalarType {
    /// The MPI datatype of this element type.
    var mpiDatatype: MPI_Datatype {
        switch self {
        case .float32: cairn_mpi_float()
        case .float64: cairn_mpi_double()
        case .int64: cairn_mpi_int64()
        case .uint8: cairn_mpi_uint8()
        }
    }

    /// A small stable number for matching checks.
    var matchingCode: Int64 {
        switch self {
        case .float32: 1
        case .float64: 2
        case .int64: 3
        case .uint8: 4
        }
    }
}

extension ReduceOperation {
    /// The predefined MPI operation.
    var mpiOperation: MPI_Op {
        switch self {
        case .sum: cairn_mpi_sum()
        case .max: cairn_mpi_max()
        case .min: cairn_mpi_min()
        }
    }

    /// A small stable number for matching checks.
    var matchingCode: Int64 {
        switch self {
        case .sum: 1
        case .max: 2
        case .min: 3
        }
    }
}
