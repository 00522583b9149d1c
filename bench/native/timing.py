# Shared by the native reference scripts: the median wall time of a callable after warm-up, and a
# one-line description of the thread pools (OpenMP, BLAS) threadpoolctl sees, with the OpenBLAS kernel
# and whether OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (which pin it) were set.
import os
import statistics
import time

from threadpoolctl import threadpool_info

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def median_seconds(fn, warmup=2, runs=11):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pools():
    described = ", ".join(
        f"{p['internal_api']} {p.get('version') or ''} (kernel {p.get('architecture') or '-'}) threads {p['num_threads']}"
        for p in threadpool_info()
    )
    pinned = [f"{name}={os.environ[name]}" for name in OPENBLAS_OVERRIDES if name in os.environ]
    return f"{described}; {', '.join(pinned) if pinned else 'OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset'}"


def uses_openblas():
    return any(p["internal_api"] == "openblas" for p in threadpool_info())
