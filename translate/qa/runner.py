"""Running the checks: on units, on a run's documents, and grouping what they found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..document import Document
from ..glossary import Glossary
from ..localize import Protection
from .checks.untranslated import UNTRANSLATED_IDENTICAL
from .model import ERROR, QAContext, QAIssue, QAUnit
from .pairing import document_units
from .registry import Check, select_checks


@dataclass
class QADocument:
    """One checked document: its units and their findings, for the reports."""

    name: str  # the source
    target: str  # the translation (a path, or the source's name in a run)
    units: list[QAUnit] = field(default_factory=list)
    issues: list[QAIssue] = field(default_factory=list)


def run_checks(units: Sequence[QAUnit], checks: Sequence[Check] | None = None,
               glossary: Glossary | None = None) -> list[QAIssue]:
    """Every finding of ``checks`` (all by default) on the units of one document, in document order.

    A unit whose translation is its source unchanged keeps that finding only:
    its numbers "missing" and its capitals "differing" would be noise.
    """
    checks = select_checks() if checks is None else checks
    context = QAContext(glossary)
    found = [issue for check in checks for issue in check.check_document(units, context)]
    copied = {i.segment for i in found if i.code == UNTRANSLATED_IDENTICAL}
    found = [i for i in found if i.segment not in copied or i.code == UNTRANSLATED_IDENTICAL]
    order = {unit.id: n for n, unit in enumerate(units)}
    return sorted(found, key=lambda i: (order.get(i.segment, len(order)), i.severity != ERROR))


def check_document(document: Document, protections: Sequence[Protection] = (),
                   glossary: Glossary | None = None, checks: Sequence[Check] | None = None,
                   scores: Mapping[str, float] | None = None, target: str | None = None) -> QADocument:
    """Check a run's translated document (``protections``: the quantities localized in it)."""
    units = document_units(document, protections, scores)
    return QADocument(document.name, target or document.name, units, run_checks(units, checks, glossary))


def check_documents(documents: Iterable[Document], protections: Sequence[Protection] = (),
                    glossary: Glossary | None = None, checks: Sequence[Check] | None = None,
                    scores: Mapping[str, float] | None = None) -> list[QAIssue]:
    """The findings on every translated segment of ``documents``."""
    return [issue for document in documents
            for issue in check_document(document, protections, glossary, checks, scores).issues]


def flagged_segments(issues: Iterable[QAIssue]) -> list[str]:
    """The ids of the units with at least one finding, in order of first appearance."""
    return list(dict.fromkeys(issue.segment for issue in issues))


def findings_by_segment(issues: Iterable[QAIssue]) -> dict[str, list[QAIssue]]:
    """Findings grouped by unit id, for attaching them to XLIFF ``<segment>`` s or ``<unit>`` s."""
    grouped: dict[str, list[QAIssue]] = {}
    for issue in issues:
        grouped.setdefault(issue.segment, []).append(issue)
    return grouped


def count_by_check(issues: Iterable[QAIssue]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.check] = counts.get(issue.check, 0) + 1
    return dict(sorted(counts.items()))
