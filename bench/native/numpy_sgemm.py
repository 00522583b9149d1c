# Native reference for our sgemm: numpy float32 matmul (OpenBLAS) on one thread at the shapes
# bench/sgemm.js uses; prints the BLAS library threadpoolctl reports and the median GFLOP/s.
# Run through run.sh, which unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for this command only.
import numpy as np
from threadpoolctl import threadpool_limits

from timing import median_seconds, pools, uses_openblas

SHAPES = [(32, 256, 1024), (1024, 1024, 1024)]  # (M, K, N)

with threadpool_limits(limits=1):
    print(f"numpy {np.__version__}; {pools()}")
    if not uses_openblas():
        print("warning: numpy is not using OpenBLAS (Debian's reference libblas3?): apt-get install libopenblas0-pthread")
    rng = np.random.default_rng(0)
    for m, k, n in SHAPES:
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), np.float32)
        s = median_seconds(lambda: np.matmul(a, b, out=c), warmup=3, runs=15 if m > 100 else 200)
        print(f"numpy sgemm [{m}x{k}]·[{k}x{n}]: {2 * m * k * n / s / 1e9:.1f} GFLOP/s ({s * 1e3:.3f} ms)")
