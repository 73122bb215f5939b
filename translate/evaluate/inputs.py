"""What gets scored: files or folders paired by name, read into scoring units at the right level.

Two levels, one rule each:

* ``line`` — sacrebleu's input: plain text, one segment per line.  The line
  counts must be equal; a mismatch is an error naming both counts (sacrebleu's
  Python API would silently score only the shorter list).
* ``unit`` — documents in any supported format, read with the pipeline's own
  readers so markup never reaches a metric.  The units are paragraphs (plain
  text) or blocks (other formats): the document's structure, which a
  translation keeps, so their counts must match too.  *Inside* a unit a system
  may merge or split sentences; the sentences are realigned by length
  (:mod:`translate.evaluate.align`) and the aligned sentences are the segments.

``auto`` (the default) picks one per document, and says why
(:func:`choose_level`): plain-text files that are not laid out in paragraphs
are sacrebleu's input and are scored by line — when their line counts differ
(a system merged or split lines), the lines are realigned by length first; the
rest are documents.  A file whose extension names no document format is plain
text, as it is for sacrebleu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScoreError
from ..textio import decode_text, read_bytes

LEVELS = ("auto", "line", "unit")
_ASKED = {"line": "one segment per line, as asked (--level line)",
          "unit": "read as documents: sentences realigned inside paragraphs and blocks"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LANG_TAG = re.compile(r"\.(?:en|id)(?=\.[^.]+$)")


@dataclass
class UnitFile:
    """One file's scoring units, and per unit its sentences (``None`` at line level)."""

    path: str
    level: str  # "line", "paragraph" or "block"
    units: list[str]
    sentences: list[list[str]] | None = None
    format: str = "text"
    document: object | None = field(default=None, repr=False)  # the Document, for format fidelity


@dataclass(frozen=True)
class LevelChoice:
    """The level a document is scored at, and why, in words for the report."""

    level: str  # "line" or "unit"
    reason: str
    realign: bool = False  # line level, but the line counts differ: lines are realigned by length


def read_lines(path: str | Path) -> list[str]:
    """Lines as sacrebleu's CLI reads them: universal newlines, trailing whitespace removed."""
    text, _bom = decode_text(read_bytes(path), str(path))
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip() for line in lines]


def scoring_format(path: str | Path, fmt: str = "auto") -> str:
    """The format a file is read in: ``fmt``, else by extension; an unknown extension is plain text."""
    from ..formats import EXTENSIONS

    return fmt if fmt != "auto" else EXTENSIONS.get(Path(path).suffix.lower(), "text")


def choose_level(paths: list[Path], requested: str = "auto", fmt: str = "auto") -> LevelChoice:
    """``line`` or ``unit`` for one document's files (hypothesis, references, source).

    ``auto`` scores line by line when every file is plain text, all have the
    same number of lines, and they are not laid out in paragraphs (blank lines
    at the same places in every file) — sacrebleu's input.  Plain text whose
    line counts differ is read as documents when a file is in paragraphs
    (blank lines between text), else line by line after realigning the lines.
    Every other format is scored by unit.
    """
    if requested not in LEVELS:
        raise ScoreError(f"unknown level {requested!r}", hint=f"choose one of: {', '.join(LEVELS)}")
    if requested != "auto":
        return LevelChoice(requested, _ASKED[requested])
    formats = {scoring_format(p, fmt) for p in paths}
    if formats != {"text"}:
        kinds = ", ".join(sorted(formats - {"text"}))
        return LevelChoice("unit", f"{kinds} documents: scored by block, sentences realigned inside blocks")
    lines = [read_lines(p) for p in paths]
    counts = [len(x) for x in lines]
    blanks = [frozenset(i for i, line in enumerate(x) if not line.strip()) for x in lines]
    if len(set(counts)) > 1:
        shown = " vs ".join(f"{c:,}" for c in counts)
        if any(_in_paragraphs(x) for x in lines):
            return LevelChoice("unit", f"plain text in paragraphs with different line counts ({shown}): read "
                                       "as documents, sentences realigned inside paragraphs")
        return LevelChoice("line", f"plain text, one segment per line, but the line counts differ ({shown}): "
                                   "lines realigned by length (a merged or split line becomes one segment)",
                           realign=True)
    if blanks[0] and all(b == blanks[0] for b in blanks):
        return LevelChoice("unit", "plain text in paragraphs (blank lines at the same places in every file): "
                                   "scored by paragraph, sentences realigned inside paragraphs "
                                   "(--level line scores every line instead)")
    return LevelChoice("line", f"plain text with the same number of lines ({counts[0]:,}) and no paragraph "
                               "layout: one segment per line, as sacrebleu scores it")


def _in_paragraphs(lines: list[str]) -> bool:
    """Whether a blank line separates two lines of text."""
    seen_text = blank = False
    for line in lines:
        if not line.strip():
            blank = seen_text
        elif blank:
            return True
        else:
            seen_text = True
    return False


def load_units(path: str | Path, level: str = "unit", fmt: str = "auto") -> UnitFile:
    """Read one file at ``level`` (``line`` or ``unit``; see the module docstring)."""
    if level == "line":
        return UnitFile(str(path), "line", read_lines(path))
    if level != "unit":
        raise ScoreError(f"unknown level {level!r}", hint="choose line or unit")
    from ..pipeline import load_document
    from .units import unit_sentences, unit_texts

    document = load_document(path, scoring_format(path, fmt))
    unit_level, units = unit_texts(document)
    return UnitFile(str(path), unit_level, units, unit_sentences(document), document.format, document)


def check_counts(hypothesis: UnitFile, reference: UnitFile) -> None:
    """Equal unit counts, or an error that names both files and both counts."""
    if len(hypothesis.units) != len(reference.units):
        raise ScoreError(
            f"{hypothesis.path} has {len(hypothesis.units)} {hypothesis.level}s "
            f"but {reference.path} has {len(reference.units)}",
            hint="score files with the same structure (one translated unit per reference unit)"
            + ("; --level auto reads plain text with different line counts as documents"
               if hypothesis.level == "line" else ""),
        )


# --------------------------------------------------------------------------- pairing


@dataclass
class FilePair:
    """A hypothesis file with its reference(s) and, when known, its source."""

    key: str
    hypothesis: Path
    references: list[Path]
    source: Path | None = None


def pair_key(path: Path) -> str:
    """The name files are paired by: ``kereta-cepat.en.md`` and ``kereta-cepat.md`` → ``kereta-cepat.md``."""
    return _LANG_TAG.sub("", path.name)


def document_key(path: Path, root: Path | None = None) -> str:
    """A document's name in reports: its path under ``root`` without the language tag.

    ``translate score``, ``compare`` and ``eval`` all name documents this way,
    so the same article has the same name in each of their reports.
    """
    relative = path.relative_to(root) if root is not None else Path(path.name)
    return str(relative.parent / pair_key(relative))


def _folder_files(folder: Path, skip_tag: str | None) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = file.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if skip_tag and f".{skip_tag}." in file.name:
            continue
        key = document_key(file, folder)
        # An explicitly tagged file wins over an untagged one of the same key.
        if key not in files or pair_key(file) != file.name:
            files[key] = file
    return files


def pair_inputs(hypothesis: str | Path, references: list[str | Path],
                source: str | Path | None = None, level: str = "auto") -> list[FilePair]:
    """Pair a hypothesis file with reference files, or a hypothesis folder with reference folders by name.

    In folders, references are the files not tagged ``.id.`` and sources the
    files not tagged ``.en.``; ``X.en.md`` pairs with ``X.en.md`` or ``X.md``.
    Every hypothesis without a reference is listed in one error.  At the
    ``unit`` level only files in a document format are taken from a folder; at
    ``auto`` and ``line`` every file is (an unknown extension is plain text).
    """
    hyp = Path(hypothesis)
    refs = [Path(r) for r in references]
    src = Path(source) if source is not None else None
    for path in [hyp, *refs, *([src] if src else [])]:
        if not path.exists():
            raise ScoreError(f"{path}: no such file or folder")
    if not hyp.is_dir():
        folders = [str(p) for p in [*refs, *([src] if src else [])] if p.is_dir()]
        if folders:
            raise ScoreError(f"{hyp} is a file but {', '.join(folders)} is a folder",
                             hint="give files with a file, folders with a folder")
        return [FilePair(document_key(hyp), hyp, refs, src)]
    not_folders = [str(p) for p in [*refs, *([src] if src else [])] if not p.is_dir()]
    if not_folders:
        raise ScoreError(f"{hyp} is a folder but {', '.join(not_folders)} is not",
                         hint="give files with a file, folders with a folder")
    from ..formats import EXTENSIONS

    hyp_files = {k: v for k, v in _folder_files(hyp, "id").items()
                 if level != "unit" or v.suffix.lower() in EXTENSIONS}
    ref_maps = [_folder_files(folder, "id") for folder in refs]
    src_map = _folder_files(src, "en") if src else {}
    pairs, missing = [], []
    for key, path in hyp_files.items():
        found = [m.get(key) for m in ref_maps]
        for folder, match in zip(refs, found, strict=True):
            if match is None:
                missing.append(f"{path.name} (no {key} in {folder})")
        if src and key not in src_map:
            missing.append(f"{path.name} (no source {key} in {src})")
        pairs.append(FilePair(key, path, [f for f in found if f is not None], src_map.get(key)))
    if missing:
        shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ScoreError(f"{len(missing)} unpaired file(s) in {hyp}: {shown}",
                         hint="files are paired by name, language tags .en./.id. ignored")
    if not pairs:
        raise ScoreError(f"no files to score in {hyp}")
    return pairs
