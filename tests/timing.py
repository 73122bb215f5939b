"""Time bounds relative to a baseline measured in the same test, robust to a busy machine."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def growth(run: Callable[[int], object], size: int, factor: int = 4, rounds: int = 5) -> float:
    """How much longer ``run(size * factor)`` takes than ``run(size)``: best of ``rounds``, interleaved.

    Linear work gives about ``factor`` (less, with fixed costs); quadratic work
    ``factor ** 2``.  Interleaving the two sizes and keeping the best time of
    each makes a burst of load on the machine hit both, or neither.
    """
    best = {size: float("inf"), size * factor: float("inf")}
    enabled = gc.isenabled()
    gc.disable()  # a collection of the whole heap in one run but not the other is not the code's cost
    try:
        for _ in range(rounds):
            for n in best:
                started = time.perf_counter()
                run(n)
                best[n] = min(best[n], time.perf_counter() - started)
    finally:
        if enabled:
            gc.enable()
    return best[size * factor] / best[size]
