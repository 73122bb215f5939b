"""Brackets and double quotes unbalanced in the target where the source's are not.

Compared with the source, not judged alone: a quotation of several sentences
is split by the segmenter, so its first segment opens a quote it does not
close, in both languages.  Per kind: brackets ``()``, ``[]``, ``{}`` and
guillemets ``«»`` by their balance (openings minus closings, and whether a
closing comes first); double quotes by the parity of all of them (“ ” „ and
the straight ``"``, since a translator may change style), flagged only when
the target's is odd and the source's even: a source quote left open by the
segmenter may be closed, or set in single quotes (British style), in English.
Single quotes are not counted: ``’`` is also the apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

UNBALANCED = "unbalanced"
PAIRS = {"()": "parentheses", "[]": "square brackets", "{}": "braces", "«»": "guillemets"}
DOUBLE_QUOTES = "“”„\""


def bracket_state(text: str, pair: str) -> tuple[int, bool]:
    """(openings minus closings, whether a closing ever comes before its opening)."""
    depth, early = 0, False
    for char in text:
        if char == pair[0]:
            depth += 1
        elif char == pair[1]:
            depth -= 1
            early = early or depth < 0
    return depth, early


def quote_parity(text: str) -> int:
    return sum(text.count(q) for q in DOUBLE_QUOTES) % 2


@register
class BracketsCheck(Check):
    name = "brackets"
    description = "brackets and double quotes unbalanced where the source's are not"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = unit.source_plain.text, unit.target_plain.text
        issues = []
        for pair, name in PAIRS.items():
            if not any(char in text for char in pair for text in (source, target)):
                continue
            depth, early = bracket_state(target, pair)
            if (depth, early) != bracket_state(source, pair):
                opened, closed = target.count(pair[0]), target.count(pair[1])
                issues.append(self.issue(
                    unit, UNBALANCED, WARNING,
                    f"{name} {pair[0]}{pair[1]}: {opened} opening and {closed} closing"
                    + (", a closing one first" if early else "") + " (the source's differ)",
                    target_span=_first(target, pair)))
        if quote_parity(target) and not quote_parity(source):
            issues.append(self.issue(unit, UNBALANCED, WARNING,
                                     "an odd number of double quotes where the source has an even one: "
                                     "a quote opened or closed in the translation only",
                                     target_span=_first(target, DOUBLE_QUOTES)))
        return issues


def _first(text: str, chars: str) -> tuple[int, int] | None:
    index = next((i for i, c in enumerate(text) if c in chars), None)
    return (index, index + 1) if index is not None else None
