"""Loading glossary files and folders: every problem of every file first, then one error.

An editor fixes all lines in one pass instead of one per run: each problem is
reported as ``file:line: message``, then loading raises one
:class:`~translate.errors.GlossaryError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import GlossaryError
from .checks import check_containment, check_pairs, override_layers
from .entries import Problem, Term
from .matching import Glossary
from .tables import read_table
from .tbx import read_tbx

TABLE_SUFFIXES = {".tsv": "\t", ".txt": "\t", ".csv": ","}
FOLDER_SUFFIXES = (".tsv", ".csv", ".tbx")


def load_glossary(paths: Sequence[str | Path] | str | Path) -> Glossary:
    """Load glossary files and folders; raise one GlossaryError listing every error.

    Warnings (e.g. a term containing another) do not stop loading; they are kept
    in ``Glossary.warnings``.
    """
    terms, problems = _collect(_as_list(paths))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        shown = "; ".join(str(p) for p in errors[:3]) + ("; ..." if len(errors) > 3 else "")
        raise GlossaryError(
            f"{len(errors)} error(s) in the glossary: {shown}",
            problems=[str(p) for p in errors],
            hint="fix every line listed; `translate glossary check FILE...` lists them all",
        )
    return Glossary(terms, [p for p in problems if p.severity == "warning"])


def check_glossary(paths: Sequence[str | Path] | str | Path) -> list[Problem]:
    """Every problem in the given glossary files and folders, errors and warnings, in file order."""
    return _collect(_as_list(paths))[1]


def _as_list(paths: Sequence[str | Path] | str | Path) -> list[str | Path]:
    return [paths] if isinstance(paths, (str, Path)) else list(paths)


def _collect(paths: list[str | Path]) -> tuple[list[Term], list[Problem]]:
    """Read every file, then run the checks that need all terms at once.

    Each path given is a *layer*: a later one (a bureau's house glossary after
    the curated folder) may override an earlier one's entry, which is a warning
    naming both lines; within one layer, two targets for one term are an error.
    """
    layers: list[list[Term]] = []
    problems: list[Problem] = []
    order: dict[str, int] = {}
    for item in paths:
        files, found = _expand([item])
        problems.extend(found)
        layer: list[Term] = []
        for path in files:
            order.setdefault(str(path), len(order))
            file_terms, file_problems = _read_file(path)
            layer.extend(file_terms)
            problems.extend(file_problems)
        problems.extend(check_pairs(layer))
        layers.append(layer)
    terms, overridden = override_layers(layers)
    problems.extend(overridden)
    problems.extend(check_containment(terms))
    problems.sort(key=lambda p: (order.get(p.path, -1), p.line))
    return terms, problems


def _expand(paths: list[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files named directly, plus every glossary file of each folder (sorted, README skipped)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
                and not p.name.startswith(".") and not p.stem.upper().startswith("README")
            )
            if not found:
                problems.append(Problem(str(path), 0, "folder holds no glossary file (.tsv, .csv, .tbx)"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 0, "no such file or folder"))
    return files, problems


def _read_file(path: Path) -> tuple[list[Term], list[Problem]]:
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(str(path), 0, f"cannot read: {exc.strerror or exc}")]
    if suffix == ".tbx":
        return read_tbx(path, data)
    if suffix not in TABLE_SUFFIXES:
        return [], [Problem(str(path), 0, f"unknown glossary format {suffix or '(no extension)'!r}; "
                                          "use .tsv, .csv, .txt (tab-separated) or .tbx")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [], [Problem(str(path), line, "not UTF-8 text; save the file as UTF-8")]
    return read_table(str(path), text, TABLE_SUFFIXES[suffix])
