"""Final punctuation differing from the source: "?" become ".", a period added to a headline.

The mark before any closing quotes and brackets is compared, "..." and "…"
being the same mark.  A period that belongs to an abbreviation ("6 a.m.",
"etc.") is not punctuation when the source has none ("pukul 06.00").  A
source that ends a sentence with a target that ends on no mark at all is the
``truncated`` check's finding, not this one's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register
from ..text import strip_edges
from .truncated import CLAUSE_END, CLOSING, SENTENCE_END, final_mark, has_words

FINAL_PUNCTUATION = "final-punctuation"
MARKS = SENTENCE_END + ":;,"
_ABBREVIATION = re.compile(r"(?:(?<![^\W\d_])[^\W\d_]\.){2,}$|(?<!\w)(?:etc|Inc|Ltd|Co|Corp|Jr|Sr|St|No)\.$")


def _mark(text: str) -> str:
    mark = final_mark(text)
    return "…" if mark == "." and text.rstrip().rstrip("\"'”’»›)]}").endswith("...") else mark


@register
class FinalPunctuationCheck(Check):
    name = "final-punctuation"
    description = "final punctuation differing from the source (\"?\" become \".\", a period added)"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = unit.source_plain.text, unit.target_plain.text
        if not has_words(source) or not has_words(target):
            return []
        want, got = _mark(source), _mark(target)
        if want == got or (want in SENTENCE_END and got not in SENTENCE_END + CLAUSE_END):  # truncated
            return []
        if want not in MARKS and (got not in MARKS or _ABBREVIATION.search(strip_edges(target, CLOSING))):
            return []
        end = len(target.rstrip())
        said = f"ends with {got!r}" if got in MARKS else "ends without punctuation"
        wanted = f"{want!r}" if want in MARKS else "no punctuation"
        return [self.issue(unit, FINAL_PUNCTUATION, WARNING, f"{said} where the source has {wanted}",
                           target_span=(max(0, end - 1), end))]
