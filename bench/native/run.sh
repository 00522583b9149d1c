#!/bin/sh
# Native references for bench/README.md (Debian's python3-numpy, python3-torch, python3-threadpoolctl
# under /usr/bin/python3). OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for the numpy command only.
set -e
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ for timing.py
cd "$(dirname "$0")"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 numpy_sgemm.py
/usr/bin/python3 torch_rnn.py
/usr/bin/python3 torch_lm.py
