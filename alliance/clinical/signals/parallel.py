"""Run a function over chunks of a large sequence in a process pool.

A full recompute touches millions of session points. Pickling them to worker processes would
cost more than the work itself, so where the platform can fork (Linux) and this process runs no
other thread, the sequence is left in a module global just before the pool starts: every forked
worker inherits it, and only chunk bounds go out and only results come back. Otherwise (macOS,
Windows, or a process with threads, where forking can deadlock) workers are spawned and each
chunk is pickled to its worker: slower, same result.

From Django, call this from a management command and close the database connections first, so
that no forked child inherits an open one.
"""

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# The (items, function, arguments) a forked worker reads; set only while a pool runs.
_SHARED: tuple[Sequence[Any], Callable[..., Any], tuple[Any, ...]] | None = None


def _single_threaded() -> bool:
    # Threads started outside the threading module (pytest-xdist's execnet, C extensions) are
    # not in threading.active_count(); on Linux the kernel's list of this process's tasks has
    # them all, and it is what Python itself checks before warning about fork. A pool that has
    # just shut down leaves a helper thread for a moment after threading has forgotten it, so
    # wait a little for that one rather than fall back to the slow spawned workers (a second
    # run straight after a first took 6 times as long until this wait was added).
    try:
        for _ in range(_THREAD_WAITS):
            if len(os.listdir("/proc/self/task")) == 1:
                return True
            if threading.active_count() > 1:
                return False
            time.sleep(0.05)
        return False
    except OSError:
        return threading.active_count() == 1


_THREAD_WAITS = 20  # x 50 ms


def without_cycle_collection[R](function: Callable[..., R], *arguments: Any) -> R:
    """``function(*arguments)`` with Python's cycle collector paused, then restored.

    The engine makes no reference cycles (tuples, flat dicts, lists of them), so reference
    counting frees everything it makes. The cycle collector would only re-scan the millions of
    live session points each time the signals it keeps pile up: a fifth of the run time with
    5,000 episodes, more with 100,000 (bench/bench_signals.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return function(*arguments)
    finally:
        if was_enabled:
            gc.enable()


def _run_shared(start: int, stop: int) -> Any:
    assert _SHARED is not None, "set by map_chunks before the pool forks"
    items, function, arguments = _SHARED
    return without_cycle_collection(function, items[start:stop], *arguments)


def _run_pickled(function: Callable[..., Any], items: Sequence[Any], *arguments: Any) -> Any:
    return without_cycle_collection(function, items, *arguments)


def map_chunks[T, R](
    function: Callable[..., R],
    items: Sequence[T],
    *arguments: Any,
    workers: int,
    chunks_per_worker: int = 4,
) -> list[R]:
    """``function(chunk, *arguments)`` for consecutive chunks of ``items``, in order.

    ``function`` must be a module-level function (a pool pickles it by name). With one worker,
    or one item, it runs here, in this process, on the whole sequence.
    """
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    workers = min(workers, os.cpu_count() or 1, max(len(items), 1))
    if workers == 1:
        return [without_cycle_collection(function, items, *arguments)]
    size = -(-len(items) // (workers * chunks_per_worker))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    if "fork" in multiprocessing.get_all_start_methods() and _single_threaded():
        global _SHARED
        _SHARED = (items, function, arguments)
        # Objects that exist before the fork stay out of the children's collections, and the
        # collector does not touch (and so copy) the pages they share with this process.
        gc.freeze()
        try:
            with ProcessPoolExecutor(workers, multiprocessing.get_context("fork")) as pool:
                starts, stops = zip(*bounds, strict=True)
                return list(pool.map(_run_shared, starts, stops))
        finally:
            _SHARED = None
            gc.unfreeze()
    with ProcessPoolExecutor(workers, multiprocessing.get_context("spawn")) as pool:
        futures = [
            pool.submit(_run_pickled, function, items[start:stop], *arguments)
            for start, stop in bounds
        ]
        return [future.result() for future in futures]
