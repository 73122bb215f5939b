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

import inspect
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .document import Block, Document, Segment, SegmentState, strip_codes
from .engines import Engine
from .engines.base import BatchDone, TermConstraint, Translation
from .errors import TranslateError
from .formats import detect_format, get_format
from .glossary import Glossary, TermUse, audit_segment, constraints_for, match_terms
from .incidents import IncidentLog
from .interrupt import RunInterrupted, StopRequest
from .jobs import (
    SOURCE_TAG,
    STDIO,
    TARGET_TAG,
    Job,
    Plan,
    check_output_folder,
    check_standard_streams,
    is_source_file,
    is_stdio,
    is_target_file,
    plan_jobs,
    target_name,
)
from .localize import Localizer, Protection, protect_document
from .manifest import (
    MANIFEST_NAME,
    ManifestCache,
    OutputRecord,
    Resume,
    append_record,
    resume_decision,
    sha256_hex,
)
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
from .runlog import FAILED, INTERRUPTED, KEPT, WRITTEN, Observers, RunObserver
from .segment import segment_document
from .textio import (
    read_bytes,
    read_stdin,
    refuse_existing,
    remove_stale_temporaries,
    write_atomic,
    write_stdout,
)

if TYPE_CHECKING:
    from .settings import Settings

T = TypeVar("T")
log = logging.getLogger(__name__)

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
    Each segment the engine translated keeps the engine's ``score`` (average
    log-probability per token) and ``truncated`` flag for the QA checks and the
    exchange files; a memory match or a copied segment has no score.
    """
    documents = list(documents)
    signature = run_signature(engine, glossary) if memory is not None else ""
    written = written_texts(protections)
    for document in documents:
        _translate_document(document, engine, progress, memory, glossary, written, signature)
    return audit_documents(documents, glossary) if glossary is not None else []


def _translate_document(document: Document, engine: Engine, progress: Progress | None,
                        memory: TranslationMemory | None, glossary: Glossary | None,
                        written: dict[str, dict[str, str]], signature: str) -> None:
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
        batches = _ChunkProgress([len(work[k]) for k in chunk], progress)
        results = _translate_chunk(engine, [k[0] for k in chunk], [work[k][0][1] for k in chunk], constraints,
                                   batches if progress else None)
        batches.rest()
        entries: dict[MemoryKey, MemoryEntry] = {}
        for key, result in zip(chunk, results, strict=True):
            target = result.text
            for segment, block, norm in work[key]:
                segment.target, segment.state = target, SegmentState.TRANSLATED
                segment.score, segment.truncated = result.score, result.truncated
                stored = to_memory(target, norm, block.codes) if norm is not None else None
                if norm is not None and stored is not None:
                    memory_key = norm.key(SOURCE_LANG, language)
                    entries[memory_key] = MemoryEntry(memory_key, stored, norm.code_data, segment.id.document,
                                                      "mt", False, signature)
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
                     constraints: list[list[TermConstraint]],
                     done: BatchDone | None = None) -> list[Translation]:
    """The engine's translations of coded sources, their texts coded (scores and truncation kept)."""
    wanted = constraints if any(constraints) else None
    reporting = _BatchReporting(engine, done) if done is not None and reports_batches(engine) else engine
    if engine.keeps_codes:
        return reporting.translate(sources, constraints=wanted)
    from .inline import translate_coded_results

    return translate_coded_results(reporting, sources, [b.codes for b in blocks], wanted)


def reports_batches(engine: Engine) -> bool:
    """Whether ``engine.translate`` takes a ``progress`` callback (engines outside this package may not)."""
    try:
        return "progress" in inspect.signature(engine.translate).parameters
    except (TypeError, ValueError):
        return False


class _BatchReporting:
    """``engine`` with its per-batch ``progress`` callback bound, for callers that know only the protocol's
    ``translate(texts, align, constraints)`` (:func:`translate.inline.translate_coded`)."""

    def __init__(self, engine: Engine, done: BatchDone) -> None:
        self.engine = engine
        self.done = done

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None) -> list[Translation]:
        return self.engine.translate(texts, align=align, constraints=constraints, progress=self.done)


class _ChunkProgress:
    """An engine's finished batches (indices into a chunk) as segments for the run's progress.

    Identical sources are translated once, so index ``i`` stands for
    ``counts[i]`` segments.  :meth:`rest` reports whatever the engine did not
    (one that reports nothing, or not every index), so the total always adds up.
    """

    def __init__(self, counts: list[int], progress: Progress | None) -> None:
        self.counts = counts
        self.progress = progress
        self.reported: set[int] = set()

    def __call__(self, indices: Sequence[int]) -> None:
        fresh = [i for i in indices if i not in self.reported]
        self.reported.update(fresh)
        if self.progress is not None and (fresh or not indices):  # no indices: the engine is waiting
            self.progress(sum(self.counts[i] for i in fresh))

    def rest(self) -> None:
        self(range(len(self.counts)))


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
    """One file of a run: what became of it (``status``, see :mod:`translate.runlog`) and what it held."""

    job: Job
    segments: int = 0
    error: TranslateError | None = None
    warnings: list[str] = field(default_factory=list)  # written, but the user should know this
    status: str = WRITTEN  # written, failed, kept (--skip-existing) or interrupted
    sha256: str = ""  # of the source's bytes
    seconds: float = 0.0  # reading, translating, checking and writing it
    terms_met: int = 0  # glossary term occurrences the output has ...
    terms_total: int = 0  # ... of those in the source
    qa_counts: dict[str, int] = field(default_factory=dict)  # QA findings per severity
    qa_checks: dict[str, int] = field(default_factory=dict)  # ... and per check (translate.qa registry names)
    reason: str = ""  # why --skip-existing translated an existing output again, or kept it

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
    resume: dict[Path, Resume] = field(default_factory=dict)  # skip_existing: each existing output's fate
    interrupted: str | None = None  # what stopped the run ("SIGINT"...), None when it ran to the end
    not_started: list[Job] = field(default_factory=list)  # left when it was interrupted
    seconds: float = 0.0

    @property
    def failures(self) -> list[FileResult]:
        return [r for r in self.results if r.error]

    @property
    def written(self) -> list[FileResult]:
        return [r for r in self.results if r.status == WRITTEN]


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
    progress_factory: Callable[[int], Progress | RunObserver] | None = None,
    glossary: Glossary | None = None,
    localizer: Localizer | None = None,
    skip_existing: bool = False,
    qa_checks: Sequence[Check] | None = None,
    memory: TranslationMemory | None = None,
    observer: RunObserver | None = None,
    stop: StopRequest | None = None,
) -> RunReport:
    """Translate files and folders into the same formats; one file's failure never stops the rest.

    ``skip_existing`` resumes an interrupted run: an output that exists is kept
    when the manifest beside it (:mod:`translate.manifest`) says it was made
    from the same source bytes with the same settings, and translated again
    when either changed (``report.resume`` says which and why).  Every written
    output is recorded there.  With a ``localizer``, numbers, money, dates and
    times are protected and rendered for its locale (see :mod:`translate.localize`;
    not for the ``copy`` engine).  Every translated document is checked by
    :mod:`translate.qa` (``qa_checks``: all by default), which fills ``report.qa``.
    A ``memory`` (e.g. :class:`~translate.memory_store.SQLiteMemory`) is used
    across all files; without one, each document's repeated lines are still
    translated once.

    Watching: ``observer`` (and ``progress_factory(total segments)``, when what it
    returns is a :class:`~translate.runlog.RunObserver`) hears of the work, of every
    engine batch and of every file as it completes.  Stopping: once ``stop`` is
    requested (:func:`~translate.interrupt.graceful_signals` does it on Ctrl-C),
    no new engine batch starts; the document being translated is dropped, every
    one written stays, and the report says ``interrupted``.  Input ``-`` and
    ``outdir`` ``-`` are the standard streams (:func:`~translate.jobs.check_standard_streams`).
    """
    started = time.monotonic()
    check_output_folder(outdir)
    inputs = list(inputs)
    check_standard_streams(inputs, outdir, fmt)
    plan = plan_jobs(inputs, outdir, fmt)
    remove_leftovers(plan.jobs)
    translator = Translator(engine, glossary, localizer, memory).load()
    report = RunReport(translator.signature(), skipped=plan.skipped)
    stop = stop if stop is not None else StopRequest()
    incidents = IncidentLog()
    done: list[FileResult] = []  # complete before translation starts: kept, or failed to read
    loaded = _load_jobs(plan.jobs, fmt, overwrite, skip_existing, report, incidents, stop, done)

    total = sum(result.segments for result, _ in loaded)
    display = progress_factory(total) if progress_factory else None
    watch = Observers([o for o in (observer, display) if isinstance(o, RunObserver)])
    plain = display if display is not None and not isinstance(display, RunObserver) else None

    def progress(segments: int) -> None:
        watch(segments)  # 0 while an engine waits: a display's clock still moves
        if plain is not None and segments:
            plain(segments)
        stop.check()  # between engine batches (and while one waits): a requested stop starts no new one

    for result in done:  # kept, or failed before any work
        watch.file_done(result)
    watch.start(len(loaded), total, report.signature)
    for position, (result, document) in enumerate(loaded):
        if stop.requested:
            report.not_started += [r.job for r, _ in loaded[position:]]
            break
        report.results.append(result)
        try:
            _translate_job(result, document, translator, progress, qa_checks, overwrite, report, incidents)
        except RunInterrupted:
            result.status = INTERRUPTED
            report.not_started += [r.job for r, _ in loaded[position + 1:]]
            watch.file_done(result)
            break
        watch.file_done(result)
    report.interrupted = stop.reason
    report.seconds = time.monotonic() - started
    watch.finish(report)
    return report


def remove_leftovers(jobs: Iterable[Job]) -> None:
    """Temporary files a killed run left beside this run's outputs go (logged; see
    :func:`~translate.textio.remove_stale_temporaries`), so a resumed run leaves no partial file."""
    removed = remove_stale_temporaries((job.output for job in jobs if not is_stdio(job.output)), time.time())
    if removed:
        log.info("removed %d temporary file(s) an interrupted run left beside the outputs", removed)


def _load_jobs(jobs: list[Job], fmt: str, overwrite: bool, skip_existing: bool, report: RunReport,
               incidents: IncidentLog, stop: StopRequest, done: list[FileResult]
               ) -> list[tuple[FileResult, Document]]:
    """Read and segment every input (the checks before the work); kept and failed files go to ``done``."""
    manifests = ManifestCache()
    loaded: list[tuple[FileResult, Document]] = []
    for position, job in enumerate(jobs):
        if stop.requested:
            report.not_started += jobs[position:]
            break
        began = time.monotonic()
        result = FileResult(job)
        if skip_existing and not overwrite and not is_stdio(job.output) and job.output.exists():
            decision = _guarded(result, incidents, "reading", _resume_decision, job, report.signature,
                                manifests, result)
            if decision is not None:
                report.resume[job.output] = decision
                result.reason = decision.reason
                if decision.keep:
                    result.status = KEPT
                    report.existing.append(job)
                    done.append(result)
                    continue
        document = None
        if result.error is None:
            replace = overwrite or bool(result.reason)  # a changed source or settings: translate it again
            document = _guarded(result, incidents, "reading", _read_job, job, fmt, replace, result)
        result.seconds = time.monotonic() - began
        if document is None:
            result.status = FAILED
            report.results.append(result)
            done.append(result)
            continue
        result.segments = sum(1 for _ in document.segments())
        loaded.append((result, document))
    return loaded


def _resume_decision(job: Job, signature: str, manifests: ManifestCache, result: FileResult) -> Resume:
    """What --skip-existing does with ``job``'s existing output (its source is read to be compared)."""
    result.sha256 = sha256_hex(read_bytes(job.source))
    try:
        output = sha256_hex(read_bytes(job.output))
    except TranslateError:
        output = ""  # not a regular file we can read (a FIFO...): never ours, so kept as it is
    return resume_decision(manifests.record_for(job.output), output, result.sha256, signature)


def _translate_job(result: FileResult, document: Document, translator: Translator, progress: Progress,
                   qa_checks: Sequence[Check] | None, overwrite: bool, report: RunReport,
                   incidents: IncidentLog) -> None:
    """Protect, translate, check and write one document; its failure is its own."""
    # One document at a time: its translation never depends on which others share the run
    # (a resumed run writes the same bytes), and it is written as soon as it is done.
    began = time.monotonic()
    try:
        protections = _guarded(result, incidents, "localizing", protect, document, translator.localizer)
        result.warnings += document.warnings
        if protections is None:
            return
        terms = _guarded(result, incidents, "translating", translate_documents, [document], translator.engine,
                         progress, translator.memory, translator.glossary, protections)
        if terms is None:
            return
        report.terms += terms
        result.terms_met, result.terms_total = sum(1 for use in terms if use.found), len(terms)
        _guarded(result, incidents, "writing", _finish, result, Translated(document, terms, protections),
                 translator.glossary, qa_checks, overwrite, report)
    finally:
        result.seconds += time.monotonic() - began
        if result.error is not None:
            result.status = FAILED


def _read_job(job: Job, fmt: str, overwrite: bool, result: FileResult) -> Document:
    """Read and segment one input, noting what the user should know about it."""
    if not is_stdio(job.output):
        refuse_existing(job.output, overwrite)  # before the work, not after it
    format_name = detect_format(job.source) if fmt == "auto" else fmt
    data = read_stdin() if is_stdio(job.source) else read_bytes(job.source)
    result.sha256 = sha256_hex(data)
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
    """Check a translated document (translate.qa), then write it and record what made it."""
    checked = check_document(translated.document, translated.protections, glossary, qa_checks,
                             target=str(result.job.output))
    report.qa += checked.issues
    report.qa_documents.append(checked)
    result.qa_counts = dict(Counter(issue.severity for issue in checked.issues))
    result.qa_checks = dict(Counter(issue.check for issue in checked.issues))
    data = render_document(translated.document)
    output = result.job.output
    if is_stdio(output):
        write_stdout(data)
        return
    write_atomic(output, data, overwrite=overwrite or bool(result.reason))
    record = OutputRecord.now(output, result.job.source, result.sha256, sha256_hex(data), report.signature)
    try:
        append_record(output, record)
    except OSError as error:
        result.warnings.append(f"not recorded in {MANIFEST_NAME} ({error.strerror or error}): "
                               "--skip-existing will keep this output whatever changes")


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
resume_decision_for = _resume_decision
fail_job = _fail


def translate_text(text: str, engine: Engine, fmt: str = "text", name: str = "<text>",
                   glossary: Glossary | None = None, localizer: Localizer | None = None) -> str:
    """Translate a string in a given format (convenience for Python users and tests)."""
    translator = Translator(engine, glossary, localizer)
    return translator.translate_bytes(text.encode("utf-8"), fmt, name).decode("utf-8")


__all__ = [
    "SOURCE_TAG",
    "STDIO",
    "TARGET_TAG",
    "FileResult",
    "Job",
    "Plan",
    "RunReport",
    "StopRequest",
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
    "remove_leftovers",
    "resume_decision_for",
    "render_document",
    "run",
    "target_name",
    "translate_bytes",
    "translate_documents",
    "translate_text",
    "write_document",
]
