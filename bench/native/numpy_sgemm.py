# Native reference for our sgemm: numpy float32 matmul (OpenBLAS) on one thread at the shapes
# bench/sgemm.js uses; prints the BLAS library threadpoolctl reports and the median GFLOP/s.
# Run through run.sh, which unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for this command only.
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

SHAPES = [(32, 256, 1024), (1024, 1024, 1024)]  # (M, K, N)


def median_seconds(fn, warmup=3, runs=15):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


with threadpool_limits(limits=1):
    pools = threadpool_info()
    for pool in pools:
        print(f"{pool['internal_api']} {pool['version']}, kernel {pool.get('architecture')}, threads {pool['num_threads']}")
    if not any(p["internal_api"] == "openblas" for p in pools):
        print("warning: numpy is not using OpenBLAS (Debian's reference libblas3?): apt-get install libopenblas0-pthread")
    rng = np.random.default_rng(0)
    for m, k, n in SHAPES:
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), np.float32)
        s = median_seconds(lambda: np.matmul(a, b, out=c), runs=15 if m > 100 else 200)
        print(f"numpy sgemm [{m}x{k}]·[{k}x{n}]: {2 * m * k * n / s / 1e9:.1f} GFLOP/s ({s * 1e3:.3f} ms)")
