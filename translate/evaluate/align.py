"""Length-based sentence alignment (Gale & Church, 1993) for hypotheses that merge or split sentences.

A system may translate two source sentences as one, or one as two; scoring
sentence *i* of the hypothesis against sentence *i* of the reference would then
compare unrelated text from that point on.  Gale and Church observed that the
lengths in characters of mutual translations are strongly correlated, and
aligned sentences by dynamic programming over *beads* (1-1, 1-0, 0-1, 2-1,
1-2), each costed by a prior and by how far the two sides' lengths are from
each other.  Here both sides are English (hypothesis and reference), so the
expected length ratio is 1; the variance (6.8) and the priors are the paper's.

W. A. Gale and K. W. Church, "A Program for Aligning Sentences in Bilingual
Corpora", Computational Linguistics 19(1), 1993.  The priors are those of the
paper as used by NLTK's ``gale_church`` (P(1-1) = .89, P(2-1) = P(1-2) = .089,
P(1-0) = P(0-1) = .0099).

Written by hand (with numpy) because NLTK's version fills the whole n × m
table in Python: a 100,000-sentence document would need 10¹⁰ cells.  Here the
search is confined to a *band* around the diagonal (the path of equal progress
through both sides), as the paper itself did with its regions: memory and time
grow with n × band, not n × m.  A path that touches the edge of the band may
have been cut short, so the band is doubled and the search run again until the
path stays inside it or the band covers the whole table; past
:data:`MAX_CELLS` the alignment is refused with a message instead of eating
the machine's memory.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ScoreError

#: Allowed bead shapes (hypothesis sentences, reference sentences) and their prior probabilities.
PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (2, 1): 0.089,
    (1, 2): 0.089,
    (1, 0): 0.0099,
    (0, 1): 0.0099,
}
#: Variance of the length difference per character (Gale & Church's s²).
VARIANCE = 6.8
#: Expected hypothesis/reference length ratio: both sides are English.
RATIO = 1.0
METHOD = "gale-church (character lengths; beads 1-1, 2-1, 1-2, 1-0, 0-1; c=1, s2=6.8; banded)"
#: Half-width of the first band, in reference sentences either side of the diagonal.
INITIAL_BAND = 32
#: The most dynamic-programming cells one alignment may use (one byte each, plus three rows of costs).
MAX_CELLS = 200_000_000

_SHAPES = ((1, 1), (2, 1), (1, 2), (1, 0), (0, 1))
_LEFT = _SHAPES.index((0, 1))
_PRIOR_COSTS = np.array([-math.log(PRIORS[shape]) for shape in _SHAPES])


@dataclass(frozen=True)
class Bead:
    """Hypothesis sentences ``hyp`` aligned with reference sentences ``ref`` (indices; one may be empty)."""

    hyp: tuple[int, ...]
    ref: tuple[int, ...]

    @property
    def kind(self) -> str:
        return f"{len(self.hyp)}-{len(self.ref)}"


def _neg_log_erfc(x: np.ndarray) -> np.ndarray:
    """-log erfc(x) for x ≥ 0, without underflow for large x.

    Numerical Recipes' ``erfcc`` (Chebyshev fit, fractional error < 1.2e-7
    everywhere) written in log space: erfc(x) = t·exp(-x² + P(t)), t = 1/(1 + x/2).
    numpy has no erfc, and scipy is not worth a dependency for one function.
    """
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    return -np.log(t) + x * x - poly


def length_cost(hyp_len: np.ndarray | float, ref_len: np.ndarray | float) -> np.ndarray:
    """-log P(delta | match): a two-sided normal tail of the standardised length difference."""
    h = np.asarray(hyp_len, dtype=float)
    r = np.asarray(ref_len, dtype=float)
    mean = (h + r / RATIO) / 2
    safe = np.where(mean > 0, mean, 1.0)
    z = np.where(mean > 0, np.abs(r - h * RATIO) / np.sqrt(safe * VARIANCE), 0.0)
    return _neg_log_erfc(z / math.sqrt(2))


#: Rows whose bead costs are computed together (a few MB of arrays at the widest band).
_BLOCK_ROWS = 2048


def _bead_costs(hyp_sum: np.ndarray, ref_sum: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Prior plus length cost of every bead shape (but 0-1) ending at each cell; inf where it cannot."""
    costs = np.full((_LEFT, *cols.shape), np.inf)
    for shape, (di, dj) in enumerate(_SHAPES[:_LEFT]):
        ok = (rows[:, None] >= di) & (cols >= dj)
        hyp_len = np.broadcast_to((hyp_sum[rows] - hyp_sum[np.maximum(rows - di, 0)])[:, None], cols.shape)
        ref_len = ref_sum[cols] - ref_sum[np.maximum(cols - dj, 0)]
        costs[shape][ok] = _PRIOR_COSTS[shape] + length_cost(hyp_len[ok], ref_len[ok])
    return costs


def _banded(hyp: np.ndarray, ref: np.ndarray, half_width: int) -> tuple[list[Bead], bool]:
    """The least-cost beads inside the band, and whether the path touched the band's edge.

    Row i holds the ``width`` columns from ``los[i]``; a row's costs depend on
    the two rows above (beads with one or two hypothesis sentences) and on its
    own left neighbour (0-1), which is a running minimum along the row.  Each
    stored row is padded with infinity, so the two rows above are read as
    slices without bounds checks.
    """
    n, m = len(hyp), len(ref)
    width = min(2 * half_width + 1, m + 1)
    hyp_sum = np.concatenate(([0.0], np.cumsum(hyp, dtype=float)))
    ref_sum = np.concatenate(([0.0], np.cumsum(ref, dtype=float)))
    centres = np.rint(np.arange(n + 1) * (m / n)).astype(np.int64)
    los = np.clip(centres - half_width, 0, m + 1 - width)
    pad_left = 2
    pad_right = int(np.max(los[2:] - los[:-2], initial=0)) + 2
    # Cost of a 0-1 bead taking reference sentence col-1 (none before column 0).
    left_cost = np.concatenate(([np.inf], _PRIOR_COSTS[_LEFT] + length_cost(0.0, ref)))
    back = np.zeros((n + 1, width), dtype=np.int8)
    empty = np.full(pad_left + width + pad_right, np.inf)
    stored: list[tuple[int, np.ndarray]] = [(0, empty), (0, empty)]  # rows i-2 and i-1
    offsets = np.arange(width)
    for first in range(0, n + 1, _BLOCK_ROWS):
        rows = np.arange(first, min(first + _BLOCK_ROWS, n + 1))
        cols = los[rows][:, None] + offsets
        costs = _bead_costs(hyp_sum, ref_sum, rows, cols)
        steps = left_cost[cols]
        steps[:, 0] = 0.0
        runs = np.cumsum(steps, axis=1)
        candidates = np.empty((_LEFT, width))
        for r, i in enumerate(rows.tolist()):
            lo = int(los[i])
            for shape, (di, dj) in enumerate(_SHAPES[:_LEFT]):
                prev_lo, prev = stored[2 - di]
                start = lo - prev_lo - dj + pad_left
                candidates[shape] = prev[start : start + width]
            candidates += costs[:, r]
            code = np.argmin(candidates, axis=0)
            best = candidates[code, offsets]
            if i == 0:
                best[0] = 0.0  # the empty prefix of both sides
            # 0-1 beads chain along the row: cost[j] = min over k <= j of best[k] + steps k..j.
            offset = best - runs[r]
            lowest = np.minimum.accumulate(offset)
            code[lowest < offset] = _LEFT
            back[i] = code
            row = empty.copy()
            row[pad_left : pad_left + width] = runs[r] + lowest
            stored = [stored[1], (lo, row)]
    beads: list[Bead] = []
    touched = False
    i, j = n, m
    while i or j:
        lo = int(los[i])
        touched = touched or (j == lo and lo > 0) or (j == lo + width - 1 and j < m)
        di, dj = _SHAPES[back[i, j - lo]]
        beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    return beads[::-1], touched


def align_lengths(hyp_lengths: Sequence[int], ref_lengths: Sequence[int],
                  max_cells: int = MAX_CELLS) -> list[Bead]:
    """The least-cost sequence of beads covering both sides in order (banded dynamic programming)."""
    n, m = len(hyp_lengths), len(ref_lengths)
    if n == 0 or m == 0:
        return [Bead((k,), ()) for k in range(n)] + [Bead((), (k,)) for k in range(m)]
    hyp = np.asarray(hyp_lengths, dtype=float)
    ref = np.asarray(ref_lengths, dtype=float)
    # Wide enough that consecutive rows' bands overlap however uneven the two counts are.
    half_width = max(INITIAL_BAND, math.ceil(m / n) + 2)
    while True:
        covers_all = half_width >= m
        cells = (n + 1) * (2 * min(half_width, m) + 1)
        if cells > max_cells:
            raise ScoreError(
                f"cannot realign {n} hypothesis sentences with {m} reference sentences within "
                f"{max_cells:,} alignment cells",
                hint="the two texts differ too much in structure; split them into smaller documents "
                     "or paragraphs that correspond")
        beads, touched = _banded(hyp, ref, half_width)
        if not touched or covers_all:
            return beads
        half_width *= 2


def align_sentences(hypotheses: Sequence[str], references: Sequence[str]) -> list[Bead]:
    """Align two lists of sentences: 1-1 when the counts are equal, else by :func:`align_lengths`.

    Equal counts are taken as they are, as sacrebleu would: a split and a merge
    in the same unit cancel out in the count and are not detected.
    """
    if len(hypotheses) == len(references):
        return [Bead((k,), (k,)) for k in range(len(hypotheses))]
    return align_lengths([len(s) for s in hypotheses], [len(s) for s in references])
