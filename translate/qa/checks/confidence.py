"""Low model confidence: the segments the engine itself was least sure of, relative to the document.

Reads :attr:`QAUnit.score`, the engine's average log-probability per target
token for the unit.  No engine reports it yet (it comes with the engines'
refactor: CTranslate2 returns it with ``return_scores``, transformers with
``output_scores``); until then every score is ``None`` and the check is
silent.  Scores are judged within one document, because their level depends
on the model and the text: a unit is flagged when its score is an outlier on
the low side by Iglewicz and Hoaglin's modified z-score,
``0.6745 * (score - median) / MAD < -3.5``, the usual robust rule (one bad
segment cannot hide itself by moving the mean).  A document needs
:data:`MIN_SCORED` scored units to be judged.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

LOW_CONFIDENCE = "low-confidence"
MIN_SCORED = 5
THRESHOLD = -3.5


@register
class ConfidenceCheck(Check):
    name = "confidence"
    description = "segments the engine was least sure of, relative to the document (needs engine scores)"

    def check_document(self, units: Sequence[QAUnit], context: QAContext) -> list[QAIssue]:
        scored = [u for u in units if u.score is not None and u.target is not None]
        if len(scored) < MIN_SCORED:
            return []
        scores = [u.score for u in scored]
        median = statistics.median(scores)
        mad = statistics.median(abs(s - median) for s in scores)
        if mad == 0:
            return []
        issues = []
        for unit in scored:
            z = 0.6745 * (unit.score - median) / mad
            if z < THRESHOLD:
                issues.append(self.issue(unit, LOW_CONFIDENCE, WARNING,
                                         f"the engine was unsure: log-probability {unit.score:.2f} per "
                                         "token, "
                                         f"the document's median is {median:.2f}"))
        return issues
