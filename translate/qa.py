"""Reference-free checks of a translation, for post-editors: what to look at before publishing.

Each check takes a segment's coded source and target and returns :class:`QAIssue` s;
the pipeline runs them after translation and the run's report lists the flagged
segments.  The first check is about numbers, because a wrong digit in a news
story is a correction the next day:

:func:`check_numbers` — every number in the source appears, converted, in the output.
* A quantity protected by :func:`translate.localize.protect_document` is an
  inline code: it must be in the target exactly once (placement guarantees it
  for model engines; the check also covers engines and edits that do not).
* Any other quantity the recogniser finds in the source (all of them with
  ``--no-localize``) must appear in the target's digits with the same value,
  read the English way: "2,5 persen" needs a 2.5, so a model that copied
  ``2,5`` (which an English reader takes for 25 or for 2 and 5) is flagged.
  Dates need their day and year, times their hour (14 or 2) and minutes, a
  scaled number either its mantissa or its full value ("2.5" or "2,500,000,000,000").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from .document import Document, strip_codes
from .localize import Protection, find_quantities
from .textio import write_atomic

NUMBER_MISSING = "number-missing"
NUMBER_REPEATED = "number-repeated"

#: A number written the English way: 1,000,000.5 (the comma only in groups of three).
_ENGLISH_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?")


@dataclass(frozen=True)
class QAIssue:
    """One problem in one segment, in words a post-editor can act on."""

    segment: str  # segment id
    check: str  # NUMBER_MISSING, ...
    source: str  # the source text concerned, as written
    expected: str  # what the target should contain
    message: str


def english_numbers(text: str) -> list[Decimal]:
    """The values of the numbers in an English text (``1,000.5`` → 1000.5; ``2:00`` → 2 and 0)."""
    return [Decimal(m.group().replace(",", "")) for m in _ENGLISH_NUMBER.finditer(text)]


def check_numbers(source_coded: str, target_coded: str, protections: Sequence[Protection] = (),
                  segment: str = "") -> list[QAIssue]:
    """Flag every source number that is not in the target (see the module docstring).

    ``protections`` are the protected quantities of this segment (their code
    characters are in ``source_coded``); the rest of the source is searched for
    quantities afresh.
    """
    issues: list[QAIssue] = []
    protected = {p.char: p for p in protections}
    for char, protection in protected.items():
        count = target_coded.count(char)
        if count != 1:
            check = NUMBER_MISSING if count == 0 else NUMBER_REPEATED
            written, rendered = protection.source_text, protection.rendered
            issues.append(QAIssue(segment, check, written, rendered,
                                  f"{written!r} should appear once as {rendered!r}, found {count} time(s)"))
    available = english_numbers(strip_codes(target_coded))
    for span in find_quantities(source_coded):
        for accepted in span.quantity.numerals():
            found = next((i for i, value in enumerate(available) if value in accepted), None)
            if found is None:
                shown = " or ".join(sorted({_plain(v) for v in accepted}, key=len))
                issues.append(QAIssue(segment, NUMBER_MISSING, span.text, shown,
                                      f"{span.text!r}: no {shown} in the translation"))
                break
            del available[found]
    return issues


def _plain(value: Decimal) -> str:
    """A value as an English reader writes it, without exponent (2.5E+12 → 2,500,000,000,000)."""
    text = f"{value:f}"
    integer, _, fraction = text.partition(".")
    return f"{int(integer):,}" + (f".{fraction}" if fraction else "")


def check_documents(documents: Iterable[Document], protections: Sequence[Protection] = ()) -> list[QAIssue]:
    """Run the checks on every translated segment of ``documents``."""
    by_segment: dict[str, list[Protection]] = {}
    for protection in protections:
        by_segment.setdefault(protection.segment, []).append(protection)
    issues: list[QAIssue] = []
    for document in documents:
        for segment in document.segments():
            if segment.target is None:
                continue
            seg_id = str(segment.id)
            issues += check_numbers(segment.source, segment.target, by_segment.get(seg_id, ()), seg_id)
    return issues


def flagged_segments(issues: Iterable[QAIssue]) -> list[str]:
    """The ids of the segments with at least one issue, in order of first appearance."""
    return list(dict.fromkeys(issue.segment for issue in issues))


def write_qa_report(path: str | Path, issues: Iterable[QAIssue], overwrite: bool = True) -> None:
    """JSON lines, one issue a line."""
    data = "".join(json.dumps(asdict(issue), ensure_ascii=False) + "\n" for issue in issues)
    write_atomic(Path(path), data.encode("utf-8"), overwrite=overwrite)


__all__ = ["QAIssue", "check_documents", "check_numbers", "english_numbers", "flagged_segments",
           "write_qa_report"]
