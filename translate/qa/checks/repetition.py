"""Repeated words and phrases: the loop a model falls into ("Sever Sever Sever...").

Flagged, unless the source has a loop too (a quoted chant, "ha ha ha"):

* a word repeated :data:`WORD_REPEATS` times or more in a row ("Sever Sever Sever");
* a phrase of 2 to :data:`MAX_PHRASE` words repeated twice or more in a row,
  4 words at least in all ("of the city of the city");
* one word making up :data:`DOMINANT_SHARE` or more of a target of at least
  :data:`DOMINANT_MIN_WORDS` words, not in a row ("Sever Bekasi Sever the Sever
  Jakarta Sever"), short function words aside.

English prose does neither: of the 3,009 English reference sentences of
NTREX-128 and FLORES-200, two are flagged, and both are slips of the reference
("likely to happen early happen early next week", "none of the of the"), see
``benchmarks/qa_calibration.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..model import ERROR, QAContext, QAIssue, QAUnit
from ..registry import Check, register

WORD_REPEATS = 3
MAX_PHRASE = 6
DOMINANT_SHARE = 0.4
DOMINANT_MIN_WORDS = 6

REPEATED = "repeated"

_TOKEN = re.compile(r"\w+")


def find_loop(text: str) -> tuple[int, int] | None:
    """The span of the first loop in ``text`` (see the module docstring), or None."""
    tokens = list(_TOKEN.finditer(text))
    words = [t.group().casefold() for t in tokens]
    for n in range(1, MAX_PHRASE + 1):
        needed = WORD_REPEATS if n == 1 else 2
        for i in range(len(words) - n * needed + 1):
            k = 1
            while words[i + k * n : i + (k + 1) * n] == words[i : i + n]:
                k += 1
            if k >= needed:
                return tokens[i].start(), tokens[i + k * n - 1].end()
    counts = Counter(w for w in words if len(w) > 3)
    if len(words) >= DOMINANT_MIN_WORDS and counts:
        word, count = counts.most_common(1)[0]
        if count >= DOMINANT_SHARE * len(words) and count >= 3:
            first = next(t for t in tokens if t.group().casefold() == word)
            last = next(t for t in reversed(tokens) if t.group().casefold() == word)
            return first.start(), last.end()
    return None


@register
class RepetitionCheck(Check):
    name = "repetition"
    description = "repeated words or phrases: the model's loop (\"Sever Sever Sever...\")"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        target = unit.target_plain.text
        loop = find_loop(target)
        if loop is None or find_loop(unit.source_plain.text) is not None:
            return []
        shown = " ".join(target[loop[0] : loop[1]].split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return [self.issue(unit, REPEATED, ERROR, f"repeated words {shown!r}: the model looping?",
                           target_span=loop)]
