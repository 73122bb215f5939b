"""Length ratio outside what human Indonesian→English news translation produces.

The range comes from 3,009 professional translation pairs: NTREX-128 (1,997
news sentences) and FLORES-200 devtest (1,012), derived by
``benchmarks/qa_calibration.py`` (run it to see the numbers below printed):

* English characters per Indonesian character over all pairs: :data:`RATIO`
  (English is shorter: Indonesian marks plural and aspect with whole words);
* the spread of a pair's length around ``RATIO * L`` grows with the source
  length ``L``: its variance is fitted as ``A*L + B*L²`` (the ``A*L`` term is
  Gale and Church's 1993 model of sentence lengths; ``B*L²`` lets the ratio of
  long paragraphs vary with style too), least squares on the squared residuals;
* the standardised residual ``z = (T - RATIO*L) / sqrt(A*L + B*L²)`` of the
  pairs has its 0.1% quantile at :data:`Z_LOW` and its 99.9% at
  :data:`Z_HIGH`; so a human translation falls outside with probability 0.2%.

For a source of ``L`` characters the accepted ratio is
``RATIO + z * sqrt(A*L + B*L²) / L`` for z in [Z_LOW, Z_HIGH]: 0.04–1.87 at 20
characters, 0.45–1.39 at 80, 0.57–1.25 at 160, 0.70–1.10 at 640.  Sources
shorter than :data:`MIN_SOURCE` characters are not judged (a headline of two
names has no meaningful ratio).  Lengths are of the plain texts (markup left
out, whitespace runs counted as one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

RATIO = 0.8845
A = 1.573
B = 0.001356
Z_LOW = -2.970
Z_HIGH = 3.479
MIN_SOURCE = 20

TOO_SHORT = "too-short"
TOO_LONG = "too-long"


def ratio_range(source_length: int) -> tuple[float, float]:
    """The accepted target/source character ratio for a source of this length."""
    spread = math.sqrt(A * source_length + B * source_length**2) / source_length
    return max(0.0, RATIO + Z_LOW * spread), RATIO + Z_HIGH * spread


def text_length(text: str) -> int:
    return len(" ".join(text.split()))


@register
class LengthCheck(Check):
    name = "length"
    description = "length ratio outside the range of human id→en news translation (NTREX-128, FLORES-200)"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = text_length(unit.source_plain.text), text_length(unit.target_plain.text)
        if source < MIN_SOURCE or target == 0:
            return []
        low, high = ratio_range(source)
        ratio = target / source
        if low <= ratio <= high:
            return []
        code, word = (TOO_SHORT, "short") if ratio < low else (TOO_LONG, "long")
        return [self.issue(unit, code, WARNING,
                           f"the translation is {ratio:.2f} times the source's length; human translations of "
                           f"{source} characters are {low:.2f}-{high:.2f} "
                           f"(too {word}: something dropped or added?)")]
