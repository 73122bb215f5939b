"""The translation pipeline: read → segment → translate → merge → write.

Everything the CLI's ``run`` does is here, as functions a Python user can call.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .document import Block, Document, Segment, SegmentState, strip_codes
from .engines import Engine
from .engines.base import TermConstraint
from .errors import OutputError, TranslateError
from .formats import EXTENSIONS, detect_format, get_format
from .glossary import Glossary, TermUse, audit_segment, constraints_for, match_terms
from .incidents import IncidentLog
from .localize import Localizer, Protection, protect_document
from .memory import (
    SOURCE_LANG,
    MemoryEntry,
    MemoryKey,
    NormalisedSegment,
    TranslationMemory,
    from_memory,
    normalise_segment,
    target_lang,
    to_memory,
    written_texts,
)
from .qa import Check, QADocument, QAIssue, check_document
from .segment import segment_document
from .textio import read_bytes, refuse_existing, write_atomic

T = TypeVar("T")
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
                        progress: Progress | None = None, memory: TranslationMemory | None = None,
                        glossary: Glossary | None = None, protections: Sequence[Protection] = ()
                        ) -> list[TermUse]:
    """Fill in every segment's target, one document at a time; with a ``glossary``, the term audit.

    A document's translation depends on the document alone: its segments are
    sent to the engine, and so batched, only with each other.  CTranslate2's
    numbers move with the padding of a batch (the attention that places inline
    codes most: see benchmarks/README.md), so a document batched with others
    would come out otherwise when translated alone, and a run resumed with
    ``--skip-existing`` would not write the bytes of an uninterrupted one.
    Identical sources within a document are translated once.

    A ``memory`` (:mod:`translate.memory`; e.g. a
    :class:`~translate.memory_store.SQLiteMemory`) is asked first: an exact match
    is used without the engine, and what the engine translates is stored in it,
    so translations and post-edits are reused across documents and runs.
    ``protections`` (from :func:`~translate.localize.protect_document`) let the
    memory key hold the Indonesian quantities as written.  With a ``glossary``,
    each segment's terms become constraints for the engine; the returned audit
    says, for every term occurrence, which English form the output used and where.
    """
    documents = list(documents)
    signature = run_signature(engine, glossary) if memory is not None else ""
    written = written_texts(protections)
    for document in documents:
        _translate_document(document, engine, progress, memory, glossary, written, signature)
    return audit_documents(documents, glossary) if glossary is not None else []


def _translate_document(document: Document, engine: Engine, progress: Progress | None,
                        memory: TranslationMemory | None, glossary: Glossary | None,
                        written: dict[str, list[str]], signature: str) -> None:
    """Every segment of one document: from the memory when it has it, else from the engine."""
    language = target_lang(document.target_locale)
    work: dict[CacheKey, list[tuple[Segment, Block, NormalisedSegment | None]]] = {}
    for block in document.blocks:
        for segment in block.segments:
            if not needs_engine(segment):
                segment.target, segment.state = segment.source, SegmentState.COPIED
            else:
                norm = None
                if memory is not None:
                    norm = normalise_segment(segment, block, written.get(str(segment.id)))
                    target = _remembered(memory, norm.key(SOURCE_LANG, language), signature, norm, block)
                    if target is not None:
                        segment.target, segment.state = target, SegmentState.TRANSLATED
                        if progress:
                            progress(1)
                        continue
                work.setdefault(_cache_key(segment, block), []).append((segment, block, norm))
                continue
            if progress:
                progress(1)
    # Longest first: the engine batches similar lengths, and the slow part shows first.
    keys = sorted(work, key=lambda k: len(k[0]), reverse=True)
    size = max(1, engine.chunk_size)  # segments per call: progress is shown between calls
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        constraints = [constraints_for(match_terms(glossary, key[0])) for key in chunk]
        targets = _translate_chunk(engine, [k[0] for k in chunk], [work[k][0][1] for k in chunk], constraints)
        entries: dict[MemoryKey, MemoryEntry] = {}
        for key, target in zip(chunk, targets, strict=True):
            for segment, block, norm in work[key]:
                segment.target, segment.state = target, SegmentState.TRANSLATED
                stored = to_memory(target, norm, block.codes) if norm is not None else None
                if norm is not None and stored is not None:
                    memory_key = norm.key(SOURCE_LANG, language)
                    entries[memory_key] = MemoryEntry(memory_key, stored, norm.code_data, segment.id.document,
                                                      "mt", False, signature)
            if progress:
                progress(len(work[key]))
        if memory is not None:
            memory.store(list(entries.values()))


def _remembered(memory: TranslationMemory, key: MemoryKey, signature: str, norm: NormalisedSegment,
                block: Block) -> str | None:
    """The memory's target for a segment, in its own codes; None when there is none to reuse.

    A machine translation whose quantities are not all found again (another currency
    style) is not reused; a person's translation is, as they wrote it.
    """
    entry = memory.lookup(key, signature)
    if entry is None:
        return None
    target, complete = from_memory(entry.target, norm, block.codes)
    return target if complete or entry.approved else None


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
    or mirrored under ``outdir``.  When ``outdir`` is a subfolder of the folder
    walked, the files in it (earlier outputs) are not inputs; when it is that
    folder itself, outputs go beside their inputs.
    """
    plan = Plan()
    out_root = Path(outdir) if outdir else None
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            outputs_inside = out_root is not None and _inside(out_root, path) and not _same(out_root, path)
            tagged_only = any(is_source_file(f) for f in files)
            for file in files:
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or is_target_file(file):
                    continue
                if tagged_only and not is_source_file(file):
                    continue
                if outputs_inside and _inside(file, out_root):
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
    except (ValueError, OSError):
        return False


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except OSError:
        return False


def check_output_folder(outdir: str | Path | None) -> None:
    """Refuse an ``-o`` that can never hold outputs, with what it is, before any work.

    Creating folders under a file, a dangling symbolic link or a link loop fails
    with "File exists", which names neither the cause nor the path.
    """
    if outdir is None:
        return
    path = Path(outdir)
    if path.is_symlink() and not path.exists():
        try:
            os.stat(path)
            loop = False
        except OSError as error:
            loop = error.errno == errno.ELOOP
        raise OutputError("the output folder is a symbolic link loop" if loop
                          else "the output folder is a symbolic link to nothing (its target is missing)",
                          path=str(path), hint="fix or remove the link, or give another folder")
    if path.exists() and not path.is_dir():
        raise OutputError("the output folder is a file", path=str(path),
                          hint="-o names a folder: give a new or existing folder")


@dataclass
class FileResult:
    job: Job
    segments: int = 0
    error: TranslateError | None = None
    warnings: list[str] = field(default_factory=list)  # written, but the user should know this

    @property
    def warning(self) -> str | None:
        return "; ".join(self.warnings) or None


@dataclass
class RunReport:
    signature: str
    results: list[FileResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # unknown extensions
    existing: list[Job] = field(default_factory=list)  # outputs already there, kept (skip_existing)
    terms: list[TermUse] = field(default_factory=list)  # the glossary audit
    qa: list[QAIssue] = field(default_factory=list)  # reference-free QA findings (translate.qa)
    qa_documents: list[QADocument] = field(default_factory=list)  # the checked units, for the HTML report

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
    qa_checks: Sequence[Check] | None = None,
    memory: TranslationMemory | None = None,
) -> RunReport:
    """Translate files and folders into the same formats; one file's failure never stops the rest.

    ``skip_existing`` resumes an interrupted run: a file whose output exists is
    left alone (outputs are written atomically, so an existing one is whole).
    With a ``localizer``, numbers, money, dates and times are protected and
    rendered for its locale (see :mod:`translate.localize`; not for the ``copy``
    engine).  Every translated document is checked by :mod:`translate.qa`
    (``qa_checks``: all by default), which fills ``report.qa``.  A ``memory``
    (e.g. :class:`~translate.memory_store.SQLiteMemory`) is used across all files;
    without one, each document's repeated lines are still translated once.
    """
    check_output_folder(outdir)
    plan = plan_jobs(inputs, outdir, fmt)
    localizer = localizer if localizes(engine) else None
    signature = run_signature(engine, glossary) + (f"|{localizer.signature()}" if localizer else "")
    report = RunReport(signature, skipped=plan.skipped)
    incidents = IncidentLog()
    loaded: list[tuple[FileResult, Document]] = []
    for job in plan.jobs:
        if skip_existing and not overwrite and job.output.exists():
            report.existing.append(job)
            continue
        result = FileResult(job)
        report.results.append(result)
        document = _guarded(result, incidents, "reading", _read_job, job, fmt, overwrite, result)
        if document is not None:
            result.segments = sum(1 for _ in document.segments())
            loaded.append((result, document))

    total = sum(r.segments for r, _ in loaded)
    progress = progress_factory(total) if progress_factory else None
    for result, document in loaded:
        # One document at a time: its translation never depends on which others share the run
        # (a resumed run writes the same bytes), and it is written as soon as it is done.
        protected: list[Protection] = []
        if localizer is not None:
            protected = _guarded(result, incidents, "localizing", protect_document, document, localizer) or []
        result.warnings += document.warnings
        if result.error is None:
            report.terms += _guarded(result, incidents, "translating", translate_documents, [document],
                                     engine, progress, memory, glossary, protected) or []
        if result.error is None:
            _guarded(result, incidents, "writing", _finish, result, document, protected, glossary, qa_checks,
                     overwrite, report)
    return report


def _read_job(job: Job, fmt: str, overwrite: bool, result: FileResult) -> Document:
    """Read and segment one input, noting what the user should know about it."""
    refuse_existing(job.output, overwrite)  # before the work, not after it
    format_name = detect_format(job.source) if fmt == "auto" else fmt
    data = read_bytes(job.source)
    document = load_document(job.source, format_name, data)
    if not document.blocks:
        result.warnings.append("no translatable text: output is a copy of the input" if data
                               else "empty input: wrote an empty output")
    if document.untranslated:
        shown = ", ".join(document.untranslated[:10]) + (" ..." if len(document.untranslated) > 10 else "")
        result.warnings.append(f"left in the source language (could not be read safely): {shown}")
    return document


def _finish(result: FileResult, document: Document, protected: list[Protection], glossary: Glossary | None,
            qa_checks: Sequence[Check] | None, overwrite: bool, report: RunReport) -> None:
    """Check a translated document (translate.qa), then write it."""
    checked = check_document(document, protected, glossary, qa_checks, target=str(result.job.output))
    report.qa += checked.issues
    report.qa_documents.append(checked)
    data = get_format(document.format).write(document)
    write_atomic(result.job.output, data, overwrite=overwrite)


def _guarded(result: FileResult, incidents: IncidentLog, stage: str, work: Callable[..., T],
             *args: object) -> T | None:
    """``work(*args)``, or None with the file's error set: a TranslateError as it is, anything else
    as an internal error whose traceback goes to the run's incident log."""
    try:
        return work(*args)
    except Exception as error:  # noqa: BLE001 - one file's bug must not end the batch
        _fail(result, incidents, stage, error)
    return None


def _fail(result: FileResult, incidents: IncidentLog, stage: str, error: Exception) -> None:
    """Make ``error`` the file's: a TranslateError as it is (named after the file), else an internal error."""
    if isinstance(error, TranslateError):
        if error.path is None:
            error.path = str(result.job.source)
        result.error = error
    else:
        result.error = incidents.record(error, str(result.job.source), stage)


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
