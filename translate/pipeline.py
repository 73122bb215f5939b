"""The translation pipeline, as stages a caller composes: plan → load → protect → translate → write.

* plan: :func:`~translate.jobs.plan_jobs` (inputs → jobs: source and output paths);
* load: :func:`load_document` (read the bytes, parse the format, split sentences);
* protect: :func:`protect` (quantities become codes rendered for the locale);
* translate: :func:`translate_documents` (memory first, then the engine, with
  the glossary's constraints; the term audit);
* merge: targets from elsewhere (a post-edited XLIFF, a service edit) go in with
  :func:`translate.targets.apply_targets`;
* write: :func:`render_document` (bytes in the document's format) and
  :func:`write_document` (atomically).

:class:`Translator` keeps what a caller reuses from document to document (the
engine, loaded once, the glossary, the localizer, a memory) and runs the middle
stages on a document or on bytes (:meth:`Translator.translate_bytes`), so the
CLI, the service and cluster workers translate alike.  :func:`run` is the
CLI's ``translate run``: every stage over a folder, one file's failure never
stopping the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .document import Block, Document, Segment, SegmentState, strip_codes
from .engines import Engine
from .engines.base import TermConstraint
from .errors import TranslateError
from .formats import detect_format, get_format
from .glossary import Glossary, TermUse, audit_segment, constraints_for, match_terms
from .incidents import IncidentLog
from .jobs import (
    SOURCE_TAG,
    TARGET_TAG,
    Job,
    Plan,
    check_output_folder,
    is_source_file,
    is_target_file,
    plan_jobs,
    target_name,
)
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

if TYPE_CHECKING:
    from .settings import Settings

T = TypeVar("T")

Progress = Callable[[int], None]


# --------------------------------------------------------------------------- the stages


def load_document(path: str | Path, fmt: str = "auto", data: bytes | None = None) -> Document:
    """Read and segment one file (or ``data``, named ``path``); ``fmt`` is a format name or ``auto``."""
    name = str(path)
    format_name = detect_format(path) if fmt == "auto" else fmt
    reader = get_format(format_name)
    raw = read_bytes(path) if data is None else data
    return segment_document(reader.read(raw, name))


def protect(document: Document, localizer: Localizer | None) -> list[Protection]:
    """Numbers, money, dates and times become codes rendered for the locale (none without a localizer)."""
    return protect_document(document, localizer) if localizer is not None else []


def render_document(document: Document) -> bytes:
    """The document, with its targets, as bytes of its own format."""
    return get_format(document.format).write(document)


def write_document(document: Document, path: str | Path, overwrite: bool = False) -> None:
    """Write the rendered document atomically: a reader never sees half a file."""
    write_atomic(Path(path), render_document(document), overwrite=overwrite)


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


@dataclass
class Translated:
    """What translating one document produced besides its targets: the term audit and the protections."""

    document: Document
    terms: list[TermUse] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)


@dataclass
class Translator:
    """An engine with the glossary, localizer and memory it translates with: kept across documents.

    The engine is loaded once (:meth:`load`); every document goes through the
    same stages as in ``translate run``, so a service, a cluster worker and the
    CLI produce the same bytes for the same input and settings.
    """

    engine: Engine
    glossary: Glossary | None = None
    localizer: Localizer | None = None
    memory: TranslationMemory | None = None

    def __post_init__(self) -> None:
        if not self.engine.localizes:  # copy: every input byte comes back, 2,5 stays 2,5
            self.localizer = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None,
                      memory: TranslationMemory | None = None) -> Translator:
        """The engine, glossary and localizer ``settings`` describe (default: the built-in defaults)."""
        from .settings import Settings

        settings = settings if settings is not None else Settings()
        return cls(settings.create_engine(), settings.load_glossary(), settings.localizer(), memory)

    def load(self) -> Translator:
        self.engine.load()
        return self

    def signature(self) -> str:
        """Everything that changes the output: engine, model, glossary, localization."""
        base = run_signature(self.engine, self.glossary)
        return f"{base}|{self.localizer.signature()}" if self.localizer is not None else base

    def translate(self, document: Document, progress: Progress | None = None) -> Translated:
        """Protect and translate a loaded document in place (its segments get targets)."""
        protections = protect(document, self.localizer)
        terms = translate_documents([document], self.engine, progress, self.memory, self.glossary,
                                    protections)
        return Translated(document, terms, protections)

    def translate_bytes(self, data: bytes, fmt: str, name: str = "document") -> bytes:
        """A whole file in memory: bytes of format ``fmt`` in, the translation in the same format out."""
        document = load_document(name, fmt, data)
        self.translate(document)
        return render_document(document)


def translate_bytes(data: bytes, fmt: str, settings: Settings | None = None, name: str = "document") -> bytes:
    """Translate a file held in memory with ``settings`` (default: built-in defaults, curated glossary).

    For many documents build one :class:`Translator` and call its
    :meth:`~Translator.translate_bytes`: the model is then loaded once.
    """
    return Translator.from_settings(settings).load().translate_bytes(data, fmt, name)


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
    translator = Translator(engine, glossary, localizer, memory)
    report = RunReport(translator.signature(), skipped=plan.skipped)
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
        protections = _guarded(result, incidents, "localizing", protect, document, translator.localizer)
        result.warnings += document.warnings
        if protections is None:
            continue
        terms = _guarded(result, incidents, "translating", translate_documents, [document], engine, progress,
                         memory, glossary, protections)
        if terms is None:
            continue
        report.terms += terms
        _guarded(result, incidents, "writing", _finish, result, Translated(document, terms, protections),
                 glossary, qa_checks, overwrite, report)
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


def _finish(result: FileResult, translated: Translated, glossary: Glossary | None,
            qa_checks: Sequence[Check] | None, overwrite: bool, report: RunReport) -> None:
    """Check a translated document (translate.qa), then write it."""
    checked = check_document(translated.document, translated.protections, glossary, qa_checks,
                             target=str(result.job.output))
    report.qa += checked.issues
    report.qa_documents.append(checked)
    write_document(translated.document, result.job.output, overwrite=overwrite)


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


#: The read stage and the error handling of one job, public for runners other than :func:`run`
#: (:mod:`translate.cluster` runs them in Ray tasks): the same warnings, the same errors.
read_job = _read_job
fail_job = _fail


def translate_text(text: str, engine: Engine, fmt: str = "text", name: str = "<text>",
                   glossary: Glossary | None = None, localizer: Localizer | None = None) -> str:
    """Translate a string in a given format (convenience for Python users and tests)."""
    translator = Translator(engine, glossary, localizer)
    return translator.translate_bytes(text.encode("utf-8"), fmt, name).decode("utf-8")


__all__ = [
    "SOURCE_TAG",
    "TARGET_TAG",
    "FileResult",
    "Job",
    "Plan",
    "RunReport",
    "Translated",
    "Translator",
    "check_output_folder",
    "fail_job",
    "is_source_file",
    "is_target_file",
    "load_document",
    "localizes",
    "plan_jobs",
    "protect",
    "read_job",
    "render_document",
    "run",
    "target_name",
    "translate_bytes",
    "translate_documents",
    "translate_text",
    "write_document",
]
