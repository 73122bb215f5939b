"""Glossary terms of the source missing from the translation, or written in another form.

Source terms are found by the glossary's own matcher (:meth:`Glossary.match`)
and looked up in the target by the run's term audit
(:func:`translate.glossary.audit_segment`: any accepted form, whole words, each
occurrence needs a place of its own), so the QA, ``--terms-report`` and the
term metrics agree on what counts as used.  Then:

* **missing** — no accepted form, not even with letters after it (a plural
  "urban villages", a demonym "Japanese" for Japan count as used), and not
  its last word once the document has used the full form ("the ministry"
  after "the Foreign Ministry": news names an institution in full once): the
  message names the term, its preferred form and the glossary line
  (``file:line``), and says when the Indonesian form was left in the English text;
* **another form** — found, but its case differs from every accepted form
  beyond the first letter ("west java" for "West Java", "Bpbd" for "BPBD"):
  a first letter differs with the sentence position and house style ("the
  president said"), so it is not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ...glossary import audit_segment
from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

TERM_MISSING = "term-missing"
TERM_FORM = "term-form"


@register
class GlossaryCheck(Check):
    name = "glossary"
    description = "glossary terms missing or in another form (names the glossary line)"

    def check_document(self, units: Sequence[QAUnit], context: QAContext) -> list[QAIssue]:
        used: set[str] = set()  # forms found so far in the document, lower case
        return [issue for unit in units if unit.target is not None
                for issue in self._check(unit, context, used)]

    def _check(self, unit: QAUnit, context: QAContext, used: set[str]) -> Iterable[QAIssue]:
        glossary = context.glossary
        if glossary is None:
            return []
        matches = glossary.match(unit.source)
        if not matches:
            return []
        source, target = unit.source_plain, unit.target_plain
        issues = []
        uses = audit_segment(unit.id, unit.source, matches, unit.target or "")
        used |= {use.target_form.lower() for use in uses if use.target_form}
        for use, match in zip(uses, matches, strict=True):
            term = match.term
            source_span = (source.from_coded[match.start], source.from_coded[match.end])
            if use.target_form is None and (_derived_form(term).search(target.text)
                                            or _short_mention(term, used, target.text)):
                continue
            if use.target_form is None:
                left = re.search(rf"(?<!\w){re.escape(use.surface)}(?!\w)", target.text, re.IGNORECASE)
                note = f"; {use.surface!r} is left in Indonesian" if left else ""
                issues.append(self.issue(
                    unit, TERM_MISSING, WARNING,
                    f"glossary term {term.source!r} ({term.origin}): "
                    f"no {_forms(term.targets)} in the translation"
                    + note,
                    source_span=source_span, expected=term.target,
                    target_span=left.span() if left else None))
                continue
            assert use.target_start is not None and use.target_end is not None  # target_form was found
            start, end = target.from_stripped[use.target_start], target.from_stripped[use.target_end - 1] + 1
            written = target.text[start:end]
            if not any(_same_beyond_first(written, form) for form in term.targets):
                issues.append(self.issue(
                    unit, TERM_FORM, WARNING,
                    f"glossary term {term.source!r} ({term.origin}) is written {written!r}, "
                    f"the glossary has {_forms(term.targets)}",
                    source_span=source_span, target_span=(start, end), expected=term.target))
        return issues


def _derived_form(term) -> re.Pattern[str]:
    """An accepted form with letters after it: a plural or a demonym ("urban villages", "Japanese")."""
    body = "|".join(r"\s+".join(re.escape(w) for w in form.split()) for form in term.targets)
    return re.compile(rf"(?<!\w)(?:{body})[^\W\d_]", 0 if term.case_sensitive else re.IGNORECASE)


def _short_mention(term, used: set[str], text: str) -> bool:
    """The last word of a multi-word form already used in the document ("the ministry")."""
    return any(len(form.split()) > 1 and form.lower() in used
               and re.search(rf"(?<!\w){re.escape(form.split()[-1])}(?!\w)", text, re.IGNORECASE)
               for form in term.targets)


def _forms(forms: tuple[str, ...]) -> str:
    return " or ".join(repr(form) for form in forms)


def _same_beyond_first(written: str, form: str) -> bool:
    """Equal once whitespace is squashed, the first letter's case aside."""
    a, b = " ".join(written.split()), " ".join(form.split())
    return a[1:] == b[1:] and a[:1].lower() == b[:1].lower()
