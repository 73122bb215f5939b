"""Glossaries as tables: TSV (``.tsv``, ``.txt``) and CSV, with or without a header row.

Columns: source, target, alternatives (``|``-separated), category,
case_sensitive, note.  Every problem is reported with its line; for a CSV
row whose quoted cell spans lines, the line the row starts on.

CSV is read by the ``csv`` module, which accepts what a spreadsheet writes
(quoted cells with commas, doubled quotes, a note over several lines).  An
unbalanced quote makes it read on to the next quote or to the end of the
file as one cell; so a term cell may not span lines, a quote still open at
the end of the file is an error, and both are reported at the line where the
quote opened.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from .checks import term_text_problems
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
#: Columns that hold one line each (a note may span lines).
_ONE_LINE = ("source", "target", "alternatives", "category", "case_sensitive")


class TableError(Exception):
    """A CSV the reader cannot go on with, at a line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


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
    """(first line number, cells) of each CSV row; a quote still open at the end is a TableError."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    held: tuple[int, list[str]] | None = None  # the last row is checked before it is given out
    try:
        for cells in reader:
            if held is not None:
                yield held
            held, start = (start, cells), reader.line_num + 1
    except csv.Error as exc:
        limit = csv.field_size_limit()
        if "field limit" in str(exc):
            raise TableError(start, f"a cell longer than {limit} characters starts in this row: "
                                    "is a closing quote missing?") from exc
        raise TableError(start, f"unreadable CSV: {exc}") from exc
    if held is None:
        return
    if _ends_in_a_quote(text, held[0]):
        raise TableError(held[0], f"a quote opened in this row is never closed: lines {held[0]}-"
                                  f"{reader.line_num} would be one cell; close the quote "
                                  "(a quote inside a cell is written \"\")")
    yield held


def _ends_in_a_quote(text: str, first_line: int) -> bool:
    """Whether the row starting at ``first_line`` runs into the end of the file inside a quoted cell.

    The lenient reader returns such a cell as if it were closed; a strict read of
    the last row alone tells (its other complaints are the lenient reader's business).
    """
    lines = io.StringIO(text, newline="").readlines()
    try:
        list(csv.reader(io.StringIO("".join(lines[first_line - 1:]), newline=""), strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


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
    except TableError as error:
        problems.append(Problem(path, error.line, error.message))
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
    for column in _ONE_LINE:
        lines = row.get(column, "").count("\n") + 1
        if lines > 1:
            return None, [Problem(path, line, f"the {column} cell runs over {lines} lines: is a quote "
                                              "on this line not closed where the cell ends?")]
    return _make_term(path, line, row)


def _make_term(path: str, line: int, row: dict[str, str]) -> tuple[Term | None, list[Problem]]:
    problems = []
    source, target = normal(row.get("source", "")), normal(row.get("target", ""))
    if not source:
        problems.append(Problem(path, line, "empty source term"))
    if not target:
        problems.append(Problem(path, line, "empty target term"))
    alternatives = tuple(a for a in (normal(x) for x in row.get("alternatives", "").split("|")) if a)
    problems += term_text_problems(path, line, (source, target, *alternatives))
    category = row.get("category", "").strip().lower() or "other"
    if category not in CATEGORIES:
        problems.append(Problem(path, line, f"unknown category {category!r}; "
                                            f"use one of {', '.join(CATEGORIES)}"))
    flag = row.get("case_sensitive", "").strip().lower()
    if flag and flag not in _TRUE | _FALSE:
        problems.append(Problem(path, line, f"case_sensitive must be yes or no, not {flag!r}"))
    if problems:
        return None, problems
    case_sensitive = flag in _TRUE if flag else default_case_sensitive(source)
    return Term(source, target, alternatives, category, case_sensitive, row.get("note", "").strip(),
                f"{path}:{line}"), []
