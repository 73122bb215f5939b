"""Where a term's English forms stand in a text: as whole words, longest form first.

Shared by the metrics, the term audit and the inline-code placement, so that
all three find a term in an output the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..engines.base import TermConstraint
from .entries import Term


def target_pattern(term: Term, exact: bool) -> re.Pattern[str]:
    """Any target form of ``term`` as whole words (case-insensitive unless ``exact`` or the entry says)."""
    forms = sorted(set(term.targets), key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in form.split()) for form in forms)
    flags = 0 if exact or term.case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


def term_spans(target: str, constraints: Sequence[TermConstraint]) -> list[tuple[int, int]]:
    """Where the terms an engine was made to write stand in its output (whole words, any form).

    The engine put them there, so finding them is reading back its own constraint,
    not guessing where markup goes.
    """
    spans: list[tuple[int, int]] = []
    for constraint in constraints:
        for form in sorted(constraint.forms, key=len, reverse=True):
            pattern = rf"(?<!\w){re.escape(form)}(?!\w)"
            spans += [m.span() for m in re.finditer(pattern, target, re.IGNORECASE)]
    return spans
