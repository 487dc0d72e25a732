// MPI for Swift: `#include <mpi.h>` plus accessors for the handles and constants Cairn uses.
//
// MPI's handles are macros (MPICH: integer casts such as `((MPI_Comm)0x44000000)`; OpenMPI: addresses of
// global objects), which Swift does not import. Each one is returned from a `static inline` function here, so
// the Swift code in CairnMPI reads the same whichever MPI implementation this header is compiled against.
// No `.c` file is needed.
#ifndef CAIRN_CMPI_SHIM_H
#define CAIRN_CMPI_SHIM_H

#include <mpi.h>

// MARK: - Communicators, requests, statuses

static inline MPI_Comm cairn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm cairn_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Request cairn_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *cairn_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline void *cairn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler cairn_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }

// MARK: - Datatypes

static inline MPI_Datatype cairn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cairn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cairn_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype cairn_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype cairn_mpi_byte(void) { return MPI_BYTE; }

// MARK: - Reduction operations

static inline MPI_Op cairn_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cairn_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op cairn_mpi_min(void) { return MPI_MIN; }

// MARK: - Constants

static inline int cairn_mpi_success(void) { return MPI_SUCCESS; }
static inline int cairn_mpi_thread_single(void) { return MPI_THREAD_SINGLE; }
static inline int cairn_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int cairn_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cairn_mpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
static inline int cairn_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cairn_mpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }

// The error class of a failed peer process (MPICH's and ULFM's `MPIX_ERR_PROC_FAILED`), or -1 when this MPI
// has none, so a transport error can be reported as a peer failure.
static inline int cairn_mpi_err_proc_failed(void) {
#ifdef MPIX_ERR_PROC_FAILED
    return MPIX_ERR_PROC_FAILED;
#else
    return -1;
#endif
}

#endif
