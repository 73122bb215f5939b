"""Reference-free quality checks of a translation: where a post-editor should look first.

Like Xbench, Verifika or translate-toolkit's pofilter for human translation,
tuned to what machine translation gets wrong: dropped or changed numbers,
untranslated or looping output, sentences cut at the length limit, lost markup
and glossary terms.  Each check is one class in :mod:`translate.qa.checks`
behind a registry (:mod:`translate.qa.registry`); it reads
:class:`QAUnit` s — a segment, or a block when source and translation do not
split into as many sentences (:mod:`translate.qa.pairing`) — and reports
:class:`QAIssue` s: unit id, check, severity, message, source and target
excerpts and the offsets to highlight.  ``translate run --qa-report`` checks a
run's output; ``translate qa SOURCE TARGET`` checks files (raw MT or
post-edited).  Reports: a terminal table, JSON lines, and an HTML page with
source and translation side by side (:mod:`translate.qa.report`).
"""

from __future__ import annotations

from .checks.numbers import NUMBER_CHANGED, NUMBER_MISSING, NUMBER_REPEATED, check_numbers, english_numbers
from .files import QAFiles, check_files, file_pairs
from .model import ERROR, SEVERITIES, WARNING, QAContext, QAIssue, QAUnit
from .pairing import document_units, pair_documents
from .registry import Check, check_names, parse_names, register, select_checks
from .report import issue_table, json_lines, summary_line, write_qa_report
from .runner import (
    QADocument,
    check_document,
    check_documents,
    count_by_check,
    findings_by_segment,
    flagged_segments,
    run_checks,
)

__all__ = [
    "ERROR",
    "NUMBER_CHANGED",
    "NUMBER_MISSING",
    "NUMBER_REPEATED",
    "SEVERITIES",
    "WARNING",
    "Check",
    "QAContext",
    "QADocument",
    "QAFiles",
    "QAIssue",
    "QAUnit",
    "check_document",
    "check_documents",
    "check_files",
    "check_names",
    "check_numbers",
    "count_by_check",
    "document_units",
    "english_numbers",
    "file_pairs",
    "findings_by_segment",
    "flagged_segments",
    "issue_table",
    "json_lines",
    "pair_documents",
    "parse_names",
    "register",
    "run_checks",
    "select_checks",
    "summary_line",
    "write_qa_report",
]
