"""The QA report as a terminal table, JSON lines or an HTML page (chosen by the file's extension)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..textio import write_atomic
from .model import ERROR, QAIssue
from .runner import QADocument, count_by_check, flagged_segments

HTML_SUFFIXES = (".html", ".htm")
TABLE_SUFFIXES = (".txt",)


def summary_line(issues: Sequence[QAIssue]) -> str:
    """``qa: 5 finding(s) in 3 segment(s) (2 error(s)): numbers 1, untranslated 4``."""
    errors = sum(1 for i in issues if i.severity == ERROR)
    counts = ", ".join(f"{check} {count}" for check, count in count_by_check(issues).items())
    return (f"qa: {len(issues)} finding(s) in {len(flagged_segments(issues))} segment(s) ({errors} error(s))"
            + (f": {counts}" if counts else ""))


def issue_table(issues: Sequence[QAIssue], width: int = 100) -> str:
    """One row per finding (segment, severity, check, message) with the excerpts under it."""
    if not issues:
        return "no findings"
    seg_width = min(max(len(i.segment) for i in issues), 40)
    check_width = max(len(i.check) for i in issues)
    lines = [f"{'SEGMENT':{seg_width}}  {'SEVERITY':8}  {'CHECK':{check_width}}  MESSAGE"]
    indent = " " * (seg_width + 2)
    for issue in issues:
        lines.append(f"{issue.segment:{seg_width}}  {issue.severity:8}  "
                     f"{issue.check:{check_width}}  {issue.message}")
        for label, text in (("source", issue.source), ("target", issue.target)):
            if text:
                lines += textwrap.wrap(text, width, initial_indent=f"{indent}{label}: ",
                                       subsequent_indent=indent + " " * 8)
    lines.append(summary_line(issues))
    return "\n".join(lines)


def json_lines(issues: Iterable[QAIssue]) -> str:
    return "".join(json.dumps(issue.as_dict(), ensure_ascii=False) + "\n" for issue in issues)


def write_qa_report(path: str | Path, issues: Sequence[QAIssue],
                    documents: Sequence[QADocument] | None = None, overwrite: bool = True,
                    title: str = "Translation QA") -> None:
    """By extension: ``.html`` the page (of ``documents``), ``.txt`` the table, else JSON lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        from .html_page import render_page

        data = render_page(documents if documents is not None else [], title, issues)
    elif suffix in TABLE_SUFFIXES:
        data = issue_table(issues) + "\n"
    else:
        data = json_lines(issues)
    write_atomic(path, data.encode("utf-8"), overwrite=overwrite)
