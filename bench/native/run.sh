#!/bin/sh
# Native references for bench/README.md: the core's FMA peak (fma_peak.c, 128- vs 256-bit vectors),
# then Debian's python3-numpy, python3-torch and python3-threadpoolctl under /usr/bin/python3.
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (set in this environment to Haswell, an AVX2 kernel) are unset for
# the Python commands only, so OpenBLAS picks its kernel for this CPU; each script prints the kernel
# that ran (threadpoolctl) and whether those variables were set.
set -e
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ for timing.py
cd "$(dirname "$0")"
cc -O2 fma_peak.c -o /tmp/wasm-rnn-fma-peak && /tmp/wasm-rnn-fma-peak
native() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$@"; }
native numpy_sgemm.py
native torch_rnn.py
native torch_lm.py
