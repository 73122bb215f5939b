"""The translation pipeline: read → segment → translate → merge → write.

Everything the CLI's ``run`` does is here, as functions a Python user can call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .document import Block, Document, Segment, SegmentState, strip_codes
from .engines import Engine
from .engines.base import TermConstraint
from .errors import TranslateError
from .formats import EXTENSIONS, detect_format, get_format
from .glossary import Glossary, TermUse, audit_segment, constraints_for, match_terms
from .localize import Localizer, protect_document
from .qa import QAIssue, check_documents
from .segment import segment_document
from .textio import read_bytes, refuse_existing, write_atomic

SOURCE_TAG = "id"
TARGET_TAG = "en"

Progress = Callable[[int], None]


def load_document(path: str | Path, fmt: str = "auto", data: bytes | None = None) -> Document:
    """Read and segment one file; ``fmt`` is a registry name or ``auto`` (by extension)."""
    name = str(path)
    format_name = detect_format(path) if fmt == "auto" else fmt
    reader = get_format(format_name)
    raw = read_bytes(path) if data is None else data
    return segment_document(reader.read(raw, name))


def needs_engine(segment: Segment) -> bool:
    """Whether a segment has words to translate (``2020``, ``—`` or a lone code do not)."""
    return any(c.isalpha() for c in strip_codes(segment.source))


CacheKey = tuple[str, tuple]


def _cache_key(segment: Segment, block: Block) -> CacheKey:
    """Code characters are per block: the same coded text may hold other markup elsewhere."""
    codes = tuple((c, block.codes[c].kind, block.codes[c].pair) for c in segment.source if c in block.codes)
    return segment.source, codes


def translate_documents(documents: Iterable[Document], engine: Engine,
                        progress: Progress | None = None, glossary: Glossary | None = None) -> list[TermUse]:
    """Fill in every segment's target, one document at a time; with a ``glossary``, the term audit.

    A document's translation depends on the document alone: its segments are
    sent to the engine, and so batched, only with each other.  CTranslate2's
    numbers move with the padding of a batch (the attention that places inline
    codes most: see benchmarks/README.md), so a document batched with others
    would come out otherwise when translated alone, and a run resumed with
    ``--skip-existing`` would not write the bytes of an uninterrupted one.
    With a ``glossary``, each segment's terms become constraints for the
    engine; the returned audit says, for every term occurrence, which English
    form the output used and where.
    """
    documents = list(documents)
    for document in documents:
        _translate_document(document, engine, progress, glossary)
    return audit_documents(documents, glossary) if glossary is not None else []


def _translate_document(document: Document, engine: Engine, progress: Progress | None,
                        glossary: Glossary | None) -> None:
    """Every segment of one document; identical sources in it are translated once."""
    work: dict[CacheKey, list[tuple[Segment, Block]]] = {}
    for block in document.blocks:
        for segment in block.segments:
            if needs_engine(segment):
                work.setdefault(_cache_key(segment, block), []).append((segment, block))
                continue
            segment.target, segment.state = segment.source, SegmentState.COPIED
            if progress:
                progress(1)
    # Longest first: the engine batches similar lengths, and the slow part shows first.
    keys = sorted(work, key=lambda k: len(k[0]), reverse=True)
    size = max(1, engine.chunk_size)  # segments per call: progress is shown between calls
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        constraints = [constraints_for(match_terms(glossary, key[0])) for key in chunk]
        targets = _translate_chunk(engine, [k[0] for k in chunk], [work[k][0][1] for k in chunk], constraints)
        for key, target in zip(chunk, targets, strict=True):
            for segment, _block in work[key]:
                segment.target, segment.state = target, SegmentState.TRANSLATED
            if progress:
                progress(len(work[key]))


def audit_documents(documents: Iterable[Document], glossary: Glossary) -> list[TermUse]:
    """The term audit of translated documents, segment by segment."""
    uses: list[TermUse] = []
    for document in documents:
        for segment in document.segments():
            matches = match_terms(glossary, segment.source)
            if matches and segment.target is not None:
                uses += audit_segment(str(segment.id), segment.source, matches, segment.target)
    return uses


def _translate_chunk(engine: Engine, sources: list[str], blocks: list[Block],
                     constraints: list[list[TermConstraint]]) -> list[str]:
    wanted = constraints if any(constraints) else None
    if engine.keeps_codes:
        return [t.text for t in engine.translate(sources, constraints=wanted)]
    from .inline import translate_coded

    return translate_coded(engine, sources, [b.codes for b in blocks], wanted)


def target_name(path: Path) -> str:
    """``berita.id.md`` → ``berita.en.md``; ``berita.md`` → ``berita.en.md``."""
    name = path.name
    tagged = re.sub(rf"\.{SOURCE_TAG}(\.[^.]+)$", rf".{TARGET_TAG}\1", name)
    if tagged != name:
        return tagged
    return f"{path.stem}.{TARGET_TAG}{path.suffix}"


def is_source_file(path: Path) -> bool:
    """Files tagged with the source language (``berita.id.md``)."""
    return f".{SOURCE_TAG}." in path.name


def is_target_file(path: Path) -> bool:
    """Files already tagged with the target language (references, earlier outputs)."""
    return f".{TARGET_TAG}." in path.name


@dataclass
class Job:
    source: Path
    output: Path


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    errors: list[TranslateError] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def plan_jobs(inputs: Iterable[str | Path], outdir: str | Path | None = None, fmt: str = "auto") -> Plan:
    """Which files to translate and where each output goes.

    A folder is walked recursively: files with a known extension are taken,
    files already tagged ``.en.`` and hidden files are skipped; when some files
    in the folder are tagged ``.id.``, only those are taken (a corpus folder's
    English README or notes are not sources).  Outputs go beside their inputs,
    or mirrored under ``outdir``.
    """
    plan = Plan()
    out_root = Path(outdir) if outdir else None
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            tagged_only = any(is_source_file(f) for f in files)
            for file in files:
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or is_target_file(file):
                    continue
                if tagged_only and not is_source_file(file):
                    continue
                if out_root and _inside(file, out_root):
                    continue
                if fmt == "auto" and file.suffix.lower() not in EXTENSIONS:
                    plan.skipped.append(file)
                    continue
                parent = (out_root / relative.parent) if out_root else file.parent
                plan.jobs.append(Job(file, parent / target_name(file)))
        else:
            parent = out_root if out_root else path.parent
            plan.jobs.append(Job(path, parent / target_name(path)))
    return plan


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


@dataclass
class FileResult:
    job: Job
    segments: int = 0
    error: TranslateError | None = None
    warning: str | None = None


@dataclass
class RunReport:
    signature: str
    results: list[FileResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # unknown extensions
    existing: list[Job] = field(default_factory=list)  # outputs already there, kept (skip_existing)
    terms: list[TermUse] = field(default_factory=list)  # the glossary audit
    qa: list[QAIssue] = field(default_factory=list)  # reference-free QA flags (numbers missing...)

    @property
    def failures(self) -> list[FileResult]:
        return [r for r in self.results if r.error]


def run_signature(engine: Engine, glossary: Glossary | None) -> str:
    """The engine's settings plus the glossary's identity: everything that changes the output."""
    terms = f"glossary={glossary.digest()}|terms={len(glossary)}" if glossary is not None else "glossary=none"
    return f"{engine.signature()}|{terms}"


def localizes(engine: Engine) -> bool:
    """Whether numbers are localized and checked for this engine (:attr:`Engine.localizes`).

    All but ``copy``: an identity run must reproduce every input byte, so it never
    rewrites ``2,5`` as ``2.5`` (and has nothing to check).
    """
    return engine.localizes


def run(
    inputs: Iterable[str | Path],
    engine: Engine,
    outdir: str | Path | None = None,
    fmt: str = "auto",
    overwrite: bool = False,
    progress_factory: Callable[[int], Progress] | None = None,
    glossary: Glossary | None = None,
    localizer: Localizer | None = None,
    skip_existing: bool = False,
) -> RunReport:
    """Translate files and folders into the same formats; one file's failure never stops the rest.

    ``skip_existing`` resumes an interrupted run: a file whose output exists is
    left alone (outputs are written atomically, so an existing one is whole).
    With a ``localizer``, numbers, money, dates and times are protected and
    rendered for its locale (see :mod:`translate.localize`), and the number QA
    check fills ``report.qa``; neither applies to the ``copy`` engine.
    """
    plan = plan_jobs(inputs, outdir, fmt)
    localizer = localizer if localizes(engine) else None
    signature = run_signature(engine, glossary) + (f"|{localizer.signature()}" if localizer else "")
    report = RunReport(signature, skipped=plan.skipped)
    loaded: list[tuple[FileResult, Document]] = []
    for job in plan.jobs:
        if skip_existing and not overwrite and job.output.exists():
            report.existing.append(job)
            continue
        result = FileResult(job)
        report.results.append(result)
        try:
            refuse_existing(job.output, overwrite)  # before the work, not after it
            document = load_document(job.source, fmt)
        except TranslateError as error:
            result.error = error
            continue
        result.segments = sum(1 for _ in document.segments())
        if not document.blocks:
            result.warning = "empty input: wrote an empty output"
        loaded.append((result, document))

    total = sum(r.segments for r, _ in loaded)
    progress = progress_factory(total) if progress_factory else None
    for result, document in loaded:  # each written as soon as it is translated
        protected = protect_document(document, localizer) if localizer else []
        report.terms += translate_documents([document], engine, progress, glossary)
        if localizes(engine):
            report.qa += check_documents([document], protected)
        try:
            data = get_format(document.format).write(document)
            write_atomic(result.job.output, data, overwrite=overwrite)
        except TranslateError as error:
            result.error = error
    return report


def translate_text(text: str, engine: Engine, fmt: str = "text", name: str = "<text>",
                   glossary: Glossary | None = None, localizer: Localizer | None = None) -> str:
    """Translate a string in a given format (convenience for Python users and tests)."""
    document = segment_document(get_format(fmt).read(text.encode("utf-8"), name))
    if localizer is not None and localizes(engine):
        protect_document(document, localizer)
    translate_documents([document], engine, glossary=glossary)
    return get_format(fmt).write(document).decode("utf-8")


__all__ = [
    "Job",
    "Plan",
    "RunReport",
    "FileResult",
    "localizes",
    "load_document",
    "plan_jobs",
    "run",
    "target_name",
    "translate_documents",
    "translate_text",
]
