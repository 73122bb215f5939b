"""Glossary terms in the pipeline: constraints for the engine and the audit of their use.

The audit is what Amazon Translate calls AppliedTerminology, but complete: for
every term occurrence in every segment, where it was in the source, which
English form was used and where it is in the output (or that it is missing).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..document import strip_codes
from ..engines.base import TermConstraint
from ..textio import write_atomic
from .forms import target_pattern
from .matching import Glossary, TermMatch


def match_terms(glossary: Glossary | None, coded_source: str) -> list[TermMatch]:
    return glossary.match(coded_source) if glossary is not None else []


def constraints_for(matches: list[TermMatch]) -> list[TermConstraint]:
    """One constraint per source occurrence, any target form accepted."""
    return [TermConstraint(m.term.targets, m.term.source) for m in matches]


@dataclass
class TermUse:
    """One term occurrence in one segment, and what became of it."""

    segment: str
    source_term: str
    category: str
    origin: str  # glossary file:line
    source_start: int  # offsets in the segment's plain source text
    source_end: int
    surface: str  # as written in the source
    target_form: str | None  # the glossary form found in the output, None when missing
    target_start: int | None  # offsets in the segment's plain target text
    target_end: int | None

    @property
    def found(self) -> bool:
        return self.target_form is not None


def audit_segment(segment_id: str, coded_source: str, matches: list[TermMatch],
                  coded_target: str) -> list[TermUse]:
    """Where each matched term's English form is in the output.

    Longer forms claim their place first, so "Minister" (Menteri) cannot take the
    word inside "Foreign Minister" (Menteri Luar Negeri); each occurrence needs a
    place of its own.
    """
    target = strip_codes(coded_target)
    offset_map = _plain_offsets(coded_source)
    used: list[tuple[int, int]] = []
    uses: dict[int, TermUse] = {}
    order = sorted(range(len(matches)), key=lambda i: -max(len(f) for f in matches[i].term.targets))
    for i in order:
        match, term = matches[i], matches[i].term
        place = next((m for m in target_pattern(term, exact=False).finditer(target)
                      if all(m.end() <= s or m.start() >= e for s, e in used)), None)
        form = None
        if place is not None:
            used.append(place.span())
            form = next((f for f in term.targets if f.lower() == " ".join(place.group().split()).lower()),
                        place.group())
        uses[i] = TermUse(
            segment_id, term.source, term.category, term.origin,
            offset_map[match.start], offset_map[match.end], match.surface, form,
            place.start() if place else None, place.end() if place else None,
        )
    return [uses[i] for i in range(len(matches))]


def _plain_offsets(coded: str) -> list[int]:
    """For each offset in coded text, the offset in the text with codes removed."""
    offsets, plain = [], 0
    for char in coded:
        offsets.append(plain)
        if strip_codes(char):
            plain += 1
    offsets.append(plain)
    return offsets


FIELDS = list(TermUse.__dataclass_fields__)


def write_terms_report(path: str | Path, uses: Iterable[TermUse], overwrite: bool = True) -> None:
    """JSON lines (``.jsonl``/``.json``) or TSV (``.tsv``), chosen by the file's extension."""
    path = Path(path)
    rows = [asdict(u) | {"found": u.found} for u in uses]
    if path.suffix.lower() == ".tsv":
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*FIELDS, "found"], delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        data = buffer.getvalue()
    else:
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    write_atomic(path, data.encode("utf-8"), overwrite=overwrite)
