"""Time bounds relative to a baseline measured in the same test, robust to a busy machine.

Times are CPU seconds of this process (``time.process_time``), best of several
runs with the garbage collector off: other processes on the machine (a CI
runner's neighbours, parallel builds) then change them far less than they
change wall-clock time.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator


def growth(run: Callable[[int], object], size: int, factor: int = 4, rounds: int = 5) -> float:
    """How much longer ``run(size * factor)`` takes than ``run(size)``: best of ``rounds``, interleaved.

    Linear work gives about ``factor`` (less, with fixed costs); quadratic work
    ``factor ** 2``.  Interleaving the two sizes and keeping the best time of
    each makes a burst of load on the machine hit both, or neither.
    """
    best = {size: float("inf"), size * factor: float("inf")}
    with _no_gc():
        for _ in range(rounds):
            for n in best:
                started = time.process_time()
                run(n)
                best[n] = min(best[n], time.process_time() - started)
    return best[size * factor] / best[size]


def seconds(work: Callable[[], object], rounds: int = 3) -> float:
    """CPU seconds of the fastest of ``rounds`` runs of ``work``: the least disturbed one."""
    best = float("inf")
    with _no_gc():
        for _ in range(rounds):
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
    return best


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """A collection of the whole heap in one run but not another is not the code's cost."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
