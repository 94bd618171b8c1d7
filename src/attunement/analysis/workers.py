"""Readings run on the analysis threads, as many as the machine has cores.

A reading is the models and the rules working on one core. When more readings are asked
for at once than there are cores (five people's replies read together in the web app, or a
page read while the background reader works), running them all at once only adds switching
between them and waiting for Python's lock: five at once on two cores answered 132-139
readings a second with a p95 of 55-58 ms, handed to two such threads 153-165 with a p95 of
38-42 ms. The rest wait their turn. A reading asked for from an analysis thread itself (one
reading inside another) runs where it is, so the threads never wait on each other.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

ANALYSIS_THREADS = os.cpu_count() or 2

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_here = threading.local()  # set on the analysis threads


def _mark() -> None:
    _here.analysing = True


def on_analysis_threads(work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, run on an analysis thread; its result, or its exception."""
    global _pool
    if getattr(_here, "analysing", False):
        return work(*args)
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(ANALYSIS_THREADS, "attune-analysis", initializer=_mark)
        pool = _pool
    return pool.submit(work, *args).result()
