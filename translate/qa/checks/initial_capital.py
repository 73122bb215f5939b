"""A sentence that starts with a capital in the source but not in the translation, or the reverse.

Only the first character that is not a quote, bracket, dash, bullet or markup
is compared, and only when it is a letter on both sides: a source starting
"2,5 meter" may become "2.5 meters" or "Two and a half meters".  A list item
or a continuation that starts in lower case in Indonesian ("dll. ke lantai
dua") usually does in English too, so the reverse direction is flagged as well.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register
from ..text import OBJECT

CAPITAL = "initial-capital"
_LEADING = "\"'“‘„«‹([{-–—•*·" + OBJECT


def first_character(text: str) -> tuple[int, str] | None:
    """(offset, character) of the first character that is not space, an opening mark or an object."""
    for i, char in enumerate(text):
        if not char.isspace() and char not in _LEADING:
            return i, char
    return None


@register
class InitialCapitalCheck(Check):
    name = "initial-capital"
    description = "sentence-initial capital differing from the source"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = first_character(unit.source_plain.text), first_character(unit.target_plain.text)
        if source is None or target is None or not source[1].isalpha() or not target[1].isalpha():
            return []
        if source[1].isupper() == target[1].isupper():
            return []
        which = "lower case" if target[1].islower() else "a capital"
        return [self.issue(unit, CAPITAL, WARNING,
                           f"starts with {which} ({target[1]!r}) where the source starts with {source[1]!r}",
                           source_span=(source[0], source[0] + 1), target_span=(target[0], target[0] + 1))]
