"""Give the C heap's free pages back to the system once start-up is done.

Loading the detector's ONNX session (it turns the int8 MiniLM weights into fp32 once, keeping only the result)
and parsing the guild's members free tens of megabytes that glibc's allocator keeps mapped: without this the
process holds ~60 MB it no longer uses for its whole life. ``malloc_trim`` only returns free pages; it changes
nothing the process uses. Elsewhere than glibc (musl, macOS) it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)


def release_free_memory() -> bool:
    """``malloc_trim(0)`` where glibc provides it; True when it returned memory to the system."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    released = bool(trim(0))
    log.debug("malloc_trim after start-up: %s", "memory returned" if released else "nothing to return")
    return released
