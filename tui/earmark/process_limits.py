"""The earmark process's own use of address space, set before any library starts a thread.

glibc gives each thread that allocates its own malloc arena, each reserving 64 MB of address
space, and numpy's bundled OpenBLAS starts a thread per core the moment it loads. The
annotator runs a dozen threads (audio, prefetch, suggester loading, the acoustic check, the
lease heartbeat), so under an address-space limit (`ulimit -v`, as shared servers set) it
reserved ~1.2 GB and a new thread could fail to start while the process used 170 MB. Two
arenas and one BLAS thread cost nothing measurable here: the work is small arrays and I/O.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_process() -> None:
    """Call first thing in the `earmark` command, before numpy is imported. Settings the
    user made in the environment are kept; elsewhere than glibc nothing is changed."""
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, ARENAS)
    except (OSError, AttributeError):
        pass  # not glibc: its allocator has its own rules
