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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
METHOD = "gale-church (character lengths; beads 1-1, 2-1, 1-2, 1-0, 0-1; c=1, s2=6.8)"


@dataclass(frozen=True)
class Bead:
    """Hypothesis sentences ``hyp`` aligned with reference sentences ``ref`` (indices; one may be empty)."""

    hyp: tuple[int, ...]
    ref: tuple[int, ...]

    @property
    def kind(self) -> str:
        return f"{len(self.hyp)}-{len(self.ref)}"


def _length_cost(hyp_len: int, ref_len: int) -> float:
    """-log P(delta | match): a two-sided normal tail of the standardised length difference."""
    mean = (hyp_len + ref_len / RATIO) / 2
    if mean == 0:
        return 0.0
    z = (ref_len - hyp_len * RATIO) / math.sqrt(mean * VARIANCE)
    tail = math.erfc(abs(z) / math.sqrt(2))  # = 2 * (1 - Phi(|z|)), without cancellation
    return -math.log(max(tail, 1e-300))


def align_lengths(hyp_lengths: Sequence[int], ref_lengths: Sequence[int]) -> list[Bead]:
    """The least-cost sequence of beads covering both sides in order (dynamic programming)."""
    n, m = len(hyp_lengths), len(ref_lengths)
    inf = math.inf
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    prior_costs = {shape: -math.log(p) for shape, p in PRIORS.items()}
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, best_shape = inf, None
            for (di, dj), prior in prior_costs.items():
                if di > i or dj > j or cost[i - di][j - dj] == inf:
                    continue
                total = cost[i - di][j - dj] + prior + _length_cost(
                    sum(hyp_lengths[i - di : i]), sum(ref_lengths[j - dj : j]))
                if total < best:
                    best, best_shape = total, (di, dj)
            cost[i][j], back[i][j] = best, best_shape
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        di, dj = back[i][j]  # type: ignore[misc]
        beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    return beads[::-1]


def align_sentences(hypotheses: Sequence[str], references: Sequence[str]) -> list[Bead]:
    """Align two lists of sentences: 1-1 when the counts are equal, else by :func:`align_lengths`.

    Equal counts are taken as they are, as sacrebleu would: a split and a merge
    in the same unit cancel out in the count and are not detected.
    """
    if len(hypotheses) == len(references):
        return [Bead((k,), (k,)) for k in range(len(hypotheses))]
    return align_lengths([len(s) for s in hypotheses], [len(s) for s in references])
