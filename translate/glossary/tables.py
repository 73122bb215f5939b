"""Glossaries as tables: TSV (``.tsv``, ``.txt``) and CSV, with or without a header row.

Columns: source, target, alternatives (``|``-separated), category,
case_sensitive, note.  Every problem is reported with its line; for a CSV
row whose quoted cell spans lines, the line the row starts on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from ..document import CODE_CHARS
from .entries import CATEGORIES, Problem, Term, default_case_sensitive, normal

COLUMNS = ("source", "target", "alternatives", "category", "case_sensitive", "note")

_COLUMN_ALIASES = {
    "alternative": "alternatives",
    "alternates": "alternatives",
    "case": "case_sensitive",
    "casesensitive": "case_sensitive",
    "notes": "note",
    "comment": "note",
}
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, stripped cells) of each non-blank, non-comment row."""
    if delimiter == "\t":  # no quoting in TSV: a quote is an ordinary character
        numbered: Iterable[tuple[int, list[str]]] = (
            (n, line.rstrip("\r").split("\t")) for n, line in enumerate(text.split("\n"), 1)
        )
    else:
        numbered = _csv_rows(text)
    for number, cells in numbered:
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        yield number, cells


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _column_name(cell: str) -> str:
    name = re.sub(r"[\s\-]+", "_", cell.strip().lower())
    return _COLUMN_ALIASES.get(name.replace("_", ""), _COLUMN_ALIASES.get(name, name))


def _is_header(cells: list[str]) -> bool:
    names = [_column_name(c) for c in cells if c]
    return names[:2] == ["source", "target"] or (bool(names) and all(n in COLUMNS for n in names))


def read_table(path: str, text: str, delimiter: str) -> tuple[list[Term], list[Problem]]:
    terms: list[Term] = []
    problems: list[Problem] = []
    columns: list[str] | None = None
    try:
        for index, (line, cells) in enumerate(_rows(text, delimiter)):
            if index == 0 and _is_header(cells):
                columns, header_problems = _header(path, line, cells)
                problems.extend(header_problems)
                if header_problems:
                    return [], problems
                continue
            term, row_problems = _parse_row(path, line, cells, columns)
            problems.extend(row_problems)
            if term is not None:
                terms.append(term)
    except csv.Error as exc:  # e.g. a NUL byte; the reader cannot go on
        problems.append(Problem(path, 0, f"unreadable CSV: {exc}"))
    return terms, problems


def _header(path: str, line: int, cells: list[str]) -> tuple[list[str], list[Problem]]:
    names = [_column_name(c) for c in cells]
    problems = [Problem(path, line, f"unknown column {cell!r} in the header; known: {', '.join(COLUMNS)}")
                for cell, name in zip(cells, names, strict=True) if name not in COLUMNS]
    problems += [Problem(path, line, f"column {name!r} appears twice in the header")
                 for name in sorted({n for n in names if names.count(n) > 1})]
    return names, problems


def _parse_row(path: str, line: int, cells: list[str],
               columns: list[str] | None) -> tuple[Term | None, list[Problem]]:
    """One row to a Term, or the reasons it is not one."""
    if columns is not None and len(cells) != len(columns):
        sep = "tabs" if path.lower().endswith((".tsv", ".txt")) else "commas"
        return None, [Problem(path, line, f"{len(cells)} column(s), the header has {len(columns)}; "
                                          f"columns are separated by {sep}")]
    if columns is None and not 2 <= len(cells) <= len(COLUMNS):
        return None, [Problem(path, line, f"{len(cells)} column(s); expected 2 to {len(COLUMNS)}: "
                                          f"{', '.join(COLUMNS)}")]
    row = dict(zip(columns or COLUMNS, cells, strict=False))  # missing trailing cells are empty
    return _make_term(path, line, row)


def _make_term(path: str, line: int, row: dict[str, str]) -> tuple[Term | None, list[Problem]]:
    problems = []
    source, target = normal(row.get("source", "")), normal(row.get("target", ""))
    if not source:
        problems.append(Problem(path, line, "empty source term"))
    if not target:
        problems.append(Problem(path, line, "empty target term"))
    if CODE_CHARS.search(source + target):
        problems.append(Problem(path, line, "private-use character (U+E000-U+F8FF) in a term"))
    category = row.get("category", "").strip().lower() or "other"
    if category not in CATEGORIES:
        problems.append(Problem(path, line, f"unknown category {category!r}; "
                                            f"use one of {', '.join(CATEGORIES)}"))
    flag = row.get("case_sensitive", "").strip().lower()
    if flag and flag not in _TRUE | _FALSE:
        problems.append(Problem(path, line, f"case_sensitive must be yes or no, not {flag!r}"))
    if problems:
        return None, problems
    alternatives = tuple(a for a in (normal(x) for x in row.get("alternatives", "").split("|")) if a)
    case_sensitive = flag in _TRUE if flag else default_case_sensitive(source)
    return Term(source, target, alternatives, category, case_sensitive, row.get("note", "").strip(),
                f"{path}:{line}"), []
