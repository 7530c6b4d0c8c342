// OpenBLAS through pkg-config "openblas": the openblas-pthread cblas.h declares
// openblas_set_num_threads and friends, unlike the generic multiarch cblas.h.
#include <cblas.h>
