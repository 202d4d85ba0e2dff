"""``bot.memory.release_free_memory``: safe to call at any time, on any C library."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from bot.memory import release_free_memory


def _glibc() -> bool:
    name = ctypes.util.find_library("c")
    return name is not None and hasattr(ctypes.CDLL(name), "gnu_get_libc_version")


@pytest.mark.skipif(not _glibc(), reason="malloc_trim is glibc's")
def test_free_heap_is_returned_to_the_system() -> None:
    buffers = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MB of heap blocks below the mmap threshold
    pin = bytearray(64 * 1024)  # kept above them, so free() alone cannot shrink the heap: only malloc_trim can
    del buffers
    assert release_free_memory() is True
    assert len(pin) == 64 * 1024


def test_no_c_library_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert release_free_memory() is False
