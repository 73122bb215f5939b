"""``translate eval``: run the pipeline over a corpus with references, score it, write the report.

A corpus is a folder of ``NAME.id.EXT`` sources with ``NAME.en.EXT``
references (``corpora/``), or NTREX-128 (news articles, one sentence per line,
with document ids), which is turned into such a folder: one plain-text article
per document, one paragraph per NTREX line (the first line is the headline),
so the article structure is what the pipeline sees and what gets scored.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..engines import Engine
from ..errors import OutputError, ScoreError
from ..glossary import Glossary
from ..localize import Localizer
from ..pipeline import SOURCE_TAG, TARGET_TAG, run
from ..textio import write_atomic
from .comet import ENABLE_HINT, comet_available
from .html_report import REPORT_FILES, write_report
from .inputs import FilePair, document_key, read_lines
from .scoring import Evaluation, evaluate_pairs
from .significance import DEFAULT_BOOTSTRAP

NTREX_FILES = ("ntrex128.ind.txt", "ntrex128.eng.txt", "document_ids.txt")


@dataclass
class CorpusPair:
    source: Path
    reference: Path
    key: str = ""  # the document's name in reports (as ``translate score`` names it)


def find_corpus_pairs(folder: str | Path) -> list[CorpusPair]:
    """Every ``X.id.EXT`` in ``folder`` (recursively) with its ``X.en.EXT`` reference."""
    root = Path(folder)
    if not root.is_dir():
        raise ScoreError(f"{root}: not a folder", hint="give a corpus folder of X.id.EXT / X.en.EXT pairs")
    pairs, missing = [], []
    for source in sorted(root.rglob(f"*.{SOURCE_TAG}.*")):
        if not source.is_file() or any(p.startswith(".") for p in source.relative_to(root).parts):
            continue
        reference = source.with_name(source.name.replace(f".{SOURCE_TAG}.", f".{TARGET_TAG}.", 1))
        if reference.is_file():
            pairs.append(CorpusPair(source, reference, document_key(source, root)))
        else:
            missing.append(source.name)
    if missing:
        raise ScoreError(f"{len(missing)} source(s) in {root} without a reference: {', '.join(missing[:5])}",
                         hint=f"each X.{SOURCE_TAG}.EXT needs an X.{TARGET_TAG}.EXT beside it")
    if not pairs:
        raise ScoreError(f"no X.{SOURCE_TAG}.EXT / X.{TARGET_TAG}.EXT pairs in {root}")
    return pairs


def build_ntrex(folder: str | Path, workdir: str | Path, max_docs: int | None = None) -> Path:
    """Write NTREX-128 as plain-text articles ``DOCID.id.txt`` / ``DOCID.en.txt`` under ``workdir``."""
    root = Path(folder)
    missing = [name for name in NTREX_FILES if not (root / name).is_file()]
    if missing:
        raise ScoreError(f"{root}: not an NTREX-128 folder (missing {', '.join(missing)})")
    ind, eng, ids = (read_lines(root / name) for name in NTREX_FILES)
    if not len(ind) == len(eng) == len(ids):
        raise ScoreError(f"{root}: {len(ind)} Indonesian lines, {len(eng)} English lines, {len(ids)} ids",
                         hint="the three NTREX files must be line-aligned")
    out = Path(workdir)
    out.mkdir(parents=True, exist_ok=True)
    rows = zip(ids, ind, eng, strict=True)
    for count, (doc_id, group) in enumerate(itertools.groupby(rows, key=lambda row: row[0])):
        if max_docs is not None and count >= max_docs:
            break
        # Blank lines between NTREX lines: every line is one paragraph, i.e. one scoring unit.
        kept = [(s.strip(), t.strip()) for _, s, t in group if s.strip() and t.strip()]
        name = doc_id.replace("/", "_")
        for tag, index in ((SOURCE_TAG, 0), (TARGET_TAG, 1)):
            text = "\n\n".join(pair[index] for pair in kept) + "\n"
            write_atomic(out / f"{name}.{tag}.txt", text.encode("utf-8"), overwrite=True)
    return out


@dataclass
class EvalResult:
    evaluation: Evaluation
    json_path: Path
    html_path: Path
    signature: str
    notes: list[str] = field(default_factory=list)


def check_report_target(outdir: str | Path, overwrite: bool = False) -> None:
    """Refuse, before any work, to replace an existing report unless ``overwrite``."""
    existing = [Path(outdir) / name for name in REPORT_FILES if (Path(outdir) / name).exists()]
    if existing and not overwrite:
        raise OutputError(f"a report exists in {outdir} ({', '.join(p.name for p in existing)})",
                          path=str(existing[0]),
                          hint="pass --overwrite to replace it, or choose another --out")


def evaluate_corpus(pairs: list[CorpusPair], engine: Engine, outdir: str | Path,
                    glossary: Glossary | None = None, n_bootstrap: int = DEFAULT_BOOTSTRAP,
                    comet_model: str | None = None, title: str = "Translation evaluation",
                    progress_factory: Callable[[int], Callable[[int], None]] | None = None,
                    localizer: Localizer | None = None, overwrite: bool = False) -> EvalResult:
    """Translate every source into ``outdir/hypotheses/``, score against the references, write the report.

    An existing report in ``outdir`` is refused before anything is translated unless ``overwrite``.
    """
    check_report_target(outdir, overwrite)
    out = Path(outdir)
    hyp_dir = out / "hypotheses"
    report = run([p.source for p in pairs], engine, hyp_dir, overwrite=True,
                 progress_factory=progress_factory, glossary=glossary, localizer=localizer)
    if report.failures:
        first = report.failures[0]
        raise ScoreError(f"{len(report.failures)} of {len(pairs)} file(s) failed to translate; "
                         f"first: {first.job.source}: {first.error}")
    file_pairs = [FilePair(pair.key or document_key(pair.source), result.job.output, [pair.reference],
                           pair.source)
                  for result, pair in zip(report.results, pairs, strict=True)]
    notes = []
    if comet_model and not comet_available():
        notes.append(ENABLE_HINT)
        comet_model = None
    elif not comet_model:
        notes.append(ENABLE_HINT)
    evaluation = evaluate_pairs(file_pairs, "unit", "auto", glossary, n_bootstrap, comet_model)
    run_info = {"engine": report.signature, "documents": str(len(pairs)),
                "hypotheses": str(hyp_dir)}
    json_path, html_path = write_report(evaluation, out, title, run_info, overwrite=True)
    return EvalResult(evaluation, json_path, html_path, report.signature, notes)
