// OpenBLAS's CBLAS interface from Debian's libopenblas-dev, used for its types only.
//
// The module deliberately does not link libopenblas: OpenBLAS picks its CPU kernels once, in a library
// constructor, from OPENBLAS_CORETYPE. Cairn sets that variable for CPUs OpenBLAS 0.3.21 does not recognise and
// only then opens the library with dlopen, binding each function below through dlsym
// (Sources/CairnTensor/BLAS/BLASLibrary.swift). The typedefs take each signature from cblas.h, so the integer
// width (`blasint`) always matches the installed library.
#include <cblas.h>

typedef __typeof__(&cblas_sgemm) cairn_cblas_sgemm_fn;
typedef __typeof__(&openblas_set_num_threads) cairn_openblas_set_num_threads_fn;
typedef __typeof__(&openblas_get_num_threads) cairn_openblas_get_num_threads_fn;
typedef __typeof__(&openblas_get_corename) cairn_openblas_get_corename_fn;
typedef __typeof__(&openblas_get_config) cairn_openblas_get_config_fn;
