"""Low model confidence: the segments the engine itself was least sure of, relative to the document.

Reads :attr:`QAUnit.score`, the engine's average log-probability per target
token (end of sentence included) of the unit's output, computed by the
engines for every output they return (:class:`translate.engines.base.Translation`);
copied segments, memory matches, the copy/pseudo engines and files checked with
``translate qa`` have none, and a document without scores is not judged.

Scores are judged within one document, because their level depends on the
model and the text (names and numbers are less probable than common words).
The rule, both conditions at once:

1. the score is a low outlier by Iglewicz and Hoaglin's modified z-score,
   ``0.6745 * (score - median) / MAD < -3.5``, the usual robust rule: one bad
   segment cannot hide itself by moving the mean (with MAD 0, any score below
   the median counts as an outlier);
2. it is at least :data:`MIN_GAP` (0.5 nats) per token below the document's
   median: its tokens are on average less than ``exp(-0.5)`` = 61% as probable
   as the median segment's.  In a uniformly scored document the MAD is tiny and
   condition 1 alone would flag differences of a few hundredths that mean
   nothing; the gap keeps such a document silent.

A fixed share ("the worst 5%") was not chosen: it would flag segments in every
document, a uniformly good one included.  A document needs :data:`MIN_SCORED`
scored units to be judged.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

LOW_CONFIDENCE = "low-confidence"
MIN_SCORED = 5
#: Modified z-score below which a score is a low outlier (Iglewicz and Hoaglin).
THRESHOLD = -3.5
#: The least distance below the document's median, in nats (natural log) per token.
MIN_GAP = 0.5


def low_outliers(scores: Sequence[float]) -> tuple[float, list[int]]:
    """The median of ``scores`` and the indices of those the rule (module docstring) flags."""
    median = statistics.median(scores)
    mad = statistics.median(abs(s - median) for s in scores)
    flagged = []
    for index, score in enumerate(scores):
        if median - score < MIN_GAP:
            continue
        if mad == 0 or 0.6745 * (score - median) / mad < THRESHOLD:
            flagged.append(index)
    return median, flagged


@register
class ConfidenceCheck(Check):
    name = "confidence"
    description = "segments the engine was least sure of, relative to the document (needs engine scores)"

    def check_document(self, units: Sequence[QAUnit], context: QAContext) -> list[QAIssue]:
        scored = [u for u in units if u.score is not None and u.target is not None]
        if len(scored) < MIN_SCORED:
            return []
        scores = [u.score for u in scored if u.score is not None]
        median, flagged = low_outliers(scores)
        return [self.issue(scored[k], LOW_CONFIDENCE, WARNING,
                           f"the engine was unsure of this translation: confidence {math.exp(scores[k]):.0%} "
                           f"(log-probability {scores[k]:.2f} per token), the document's median is "
                           f"{math.exp(median):.0%} ({median:.2f})")
                for k in flagged]
