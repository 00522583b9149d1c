#!/bin/sh
# Native references for bench/README.md: the core's FMA peak (fma_peak.c, 128- vs 256-bit vectors),
# then Debian's python3-numpy, python3-torch and python3-threadpoolctl under /usr/bin/python3.
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for the numpy command only.
set -e
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ for timing.py
cd "$(dirname "$0")"
cc -O2 fma_peak.c -o /tmp/wasm-rnn-fma-peak && /tmp/wasm-rnn-fma-peak
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 numpy_sgemm.py
/usr/bin/python3 torch_rnn.py
/usr/bin/python3 torch_lm.py
