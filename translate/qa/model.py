"""What the checks read (:class:`QAUnit`) and what they report (:class:`QAIssue`).

A unit is one segment of a translated document, or one block when the source
and the target cannot be paired sentence by sentence (see :mod:`translate.qa.pairing`).
Its texts are *coded* (inline markup as private-use characters, see
:mod:`translate.document`); :attr:`QAUnit.source_plain` and
:attr:`QAUnit.target_plain` are what a reader sees, and every offset in a
finding is an offset in those plain texts, so the HTML page can highlight it
and a later XLIFF writer can point at it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..document import InlineCode
from ..localize import Protection
from .text import PlainText, plain_text

if TYPE_CHECKING:
    from ..glossary import Glossary

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

#: Characters of context kept on each side of a problem in an excerpt.
EXCERPT_CONTEXT = 30
#: Longest excerpt of a whole segment (when a finding has no span).
EXCERPT_MAX = 120


@dataclass(frozen=True)
class QAIssue:
    """One finding in one unit, in words a post-editor can act on.

    ``segment`` is the unit id (``doc#3.1`` a segment, ``doc#3`` a block, see
    :mod:`translate.qa.pairing`); ``check`` the registry name of the check that
    found it (what ``--checks``/``--skip`` take) and ``code`` the kind of
    problem (``number-missing``...).  ``source`` and ``target`` are excerpts;
    ``source_span``/``target_span`` the problem's offsets in the unit's plain
    texts, when it has a place.
    """

    segment: str
    check: str
    code: str
    severity: str
    message: str
    source: str = ""
    target: str = ""
    expected: str = ""  # what the target should contain, when the check knows
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None

    def as_dict(self) -> dict:
        return {
            "segment": self.segment, "check": self.check, "code": self.code, "severity": self.severity,
            "message": self.message, "source": self.source, "target": self.target, "expected": self.expected,
            "source_span": list(self.source_span) if self.source_span else None,
            "target_span": list(self.target_span) if self.target_span else None,
        }


@dataclass
class QAUnit:
    """A source text and its translation, as the checks see them.

    In a ``translate run`` both sides share the block's code table; when two
    files are compared each side has its own (``target_codes``).  ``score`` is
    the engine's average log-probability per target token for this unit
    (:attr:`translate.document.Segment.score`, read by the ``confidence``
    check) and ``truncated`` whether the engine stopped at its length limit
    (read by the ``truncated`` check); files checked with ``translate qa``
    have neither.
    """

    id: str
    source: str  # coded
    target: str | None  # coded; None when not translated
    source_codes: Mapping[str, InlineCode] = field(default_factory=dict)
    target_codes: Mapping[str, InlineCode] | None = None  # None: the same table as the source
    protections: Sequence[Protection] = ()  # quantities protected by translate.localize in this unit
    level: str = "segment"  # "segment" or "block"
    score: float | None = None
    truncated: bool = False

    @property
    def codes_of_target(self) -> Mapping[str, InlineCode]:
        return self.source_codes if self.target_codes is None else self.target_codes

    @cached_property
    def source_plain(self) -> PlainText:
        return plain_text(self.source, self.source_codes, {p.char: p.source_text for p in self.protections})

    @cached_property
    def target_plain(self) -> PlainText:
        return plain_text(self.target or "", self.codes_of_target)

    def issue(self, check: str, code: str, severity: str, message: str, *,
              source_span: tuple[int, int] | None = None, target_span: tuple[int, int] | None = None,
              expected: str = "") -> QAIssue:
        """A finding on this unit, with excerpts around the spans (or the texts' starts)."""
        return QAIssue(self.id, check, code, severity, message,
                       excerpt(self.source_plain.text, source_span),
                       excerpt(self.target_plain.text, target_span),
                       expected, source_span, target_span)


def excerpt(text: str, span: tuple[int, int] | None) -> str:
    """The text around ``span`` (whole lines squashed to one), or the text's start when no span."""
    if span is None:
        start, end = 0, min(len(text), EXCERPT_MAX)
    else:
        start, end = max(0, span[0] - EXCERPT_CONTEXT), min(len(text), span[1] + EXCERPT_CONTEXT)
    shown = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text) else "")


@dataclass
class QAContext:
    """What a check may need besides the units: the glossary (None: the glossary check is skipped)."""

    glossary: Glossary | None = None
