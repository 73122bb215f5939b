"""The one place the service calls the translation library: every route and job goes through here.

A stored document goes through the pipeline's stages as in ``translate run``
(:mod:`translate.pipeline`): :func:`~translate.pipeline.load_document`,
:func:`~translate.pipeline.protect`, then
:func:`~translate.pipeline.translate_documents` with the service's
:class:`~translate.pipeline.Translator` — the engine, glossary, localizer and
translation memory built from the same :class:`~translate.settings.Settings` as
the CLI's — and :func:`~translate.targets.apply_targets` with
:func:`~translate.pipeline.render_document` to write it.  Checks are
:mod:`translate.qa`'s (every check), exchange files :mod:`translate.exchange`'s.

A stored document is read again from its bytes whenever it is needed (segment
ids, protected quantities and code characters are deterministic for the same
bytes and settings), so nothing but the bytes and the per-segment targets has
to be kept.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..document import Block, CodeKind, Document, Segment, SegmentState
from ..engines import Engine
from ..engines.base import confidence_of
from ..errors import InputError, TranslateError
from ..formats import EXTENSIONS
from ..glossary import Glossary, audit_segment, match_terms
from ..localize import CODE_NAME, Localizer, Protection
from ..memory import (
    SOURCE_LANG,
    DictMemory,
    MemoryKey,
    NormalisedSegment,
    TranslationMemory,
    normalise_segment,
    target_lang,
)
from ..memory_store import DEFAULT_FUZZY_THRESHOLD
from ..pipeline import (
    Translator,
    load_document,
    protect,
    render_document,
    target_name,
    translate_documents,
)
from ..qa import Check, QAUnit, check_document, findings_by_segment, run_checks
from ..targets import apply_targets
from .codes import target_problems
from .exchange import Imported, export_job, import_units
from .tm import offered_matches, post_edits

#: Upload content types the service accepts when a file name has no known extension.
CONTENT_TYPES: dict[str, str] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
#: The content type of each format's output.
MEDIA_TYPES: dict[str, str] = {
    "text": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


#: How much lower the engine's decoding threads run than the request threads (see :meth:`Workbench.load`).
ENGINE_NICENESS = 10


@dataclass
class Prepared:
    """A document read, segmented and protected: sources only, never changed once prepared (but scores)."""

    document: Document
    units: list[tuple[Segment, Block]]  # every segment in document order, with its block
    protections: dict[str, list[Protection]] = field(default_factory=dict)  # by segment id
    _keys: dict[int, tuple[NormalisedSegment, MemoryKey]] = field(default_factory=dict, repr=False)
    #: The engine's score of the last machine target of each segment (by number), with that
    #: target: what :meth:`Workbench.confidence` answers from.
    scores: dict[int, tuple[str, float | None]] = field(default_factory=dict)

    def memory_key(self, n: int) -> tuple[NormalisedSegment, MemoryKey]:
        """Segment ``n`` in memory form and its key, as the pipeline looks it up (quantities as written)."""
        if n not in self._keys:
            segment, block = self.units[n]
            written = {p.char: p.source_text for p in self.protections.get(str(segment.id), ())}
            norm = normalise_segment(segment, block, written)
            self._keys[n] = norm, norm.key(SOURCE_LANG, target_lang(self.document.target_locale))
        return self._keys[n]

    def all_protections(self) -> list[Protection]:
        return [p for found in self.protections.values() for p in found]

    def block_span(self, n: int) -> range:
        """The numbers of the segments of segment ``n``'s block (a block's segments are consecutive)."""
        segment, block = self.units[n]
        first = n - block.segments.index(segment)
        return range(first, first + len(block.segments))

    def copy(self, numbers: Sequence[int]) -> tuple[Document, dict[int, Segment]]:
        """A document of copies of segments ``numbers`` only (in their blocks), to set targets on.

        The prepared document keeps its sources; a copy is translated, checked or
        exported with targets in place.
        """
        copies: dict[int, Segment] = {}
        blocks: dict[int, Block] = {}
        for n in sorted(numbers):
            segment, block = self.units[n]
            copy = Segment(segment.id, segment.source)
            copies[n] = copy
            part = blocks.setdefault(block.index, Block(block.index, block.kind, block.codes, [], [""]))
            part.segments.append(copy)
            part.gaps.append("")
        document = dataclasses.replace(self.document, parts=list(blocks.values()), warnings=[])
        return document, copies


@dataclass
class Translated:
    """Segments machine-translated together: a small document of their copies, with targets and states."""

    document: Document
    segments: dict[int, Segment]  # by segment number
    protections: list[Protection]


@dataclass
class SegmentInfo:
    """What the editor needs to show a segment's source; stored once per segment at upload."""

    n: int
    sid: str
    block: int
    source: str  # coded text
    codes: dict[str, dict[str, Any]]  # code char -> kind, name, data, pair, label
    quantities: list[dict[str, str]]  # char, source (as written), english (rendered)
    terms: list[dict[str, Any]]  # start, end (coded source offsets), surface, source_term, targets, category


def detect_upload_format(filename: str, content_type: str | None) -> str:
    """The format of an upload: by the file name's extension, else by its content type."""
    suffix = Path(filename).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    media = (content_type or "").split(";")[0].strip().lower()
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    known = " ".join(sorted(EXTENSIONS))
    raise InputError(f"unknown document type (extension {suffix or 'none'!r}, "
                     f"content type {media or 'none'!r})", path=filename,
                     hint=f"send a file named with one of: {known}")


def code_label(kind: CodeKind, name: str, data: str) -> str:
    """A short, fixed label for a tag chip: ``<b>``, ``</b>``, ``<img/>``, or a quantity's English."""
    if name == CODE_NAME:
        return data
    word = name or "code"
    return {CodeKind.OPEN: f"<{word}>", CodeKind.CLOSE: f"</{word}>"}.get(kind, f"<{word}/>")


class Workbench:
    """The service's :class:`~translate.pipeline.Translator` and the operations on its documents.

    Engine calls are serialised by a lock: one engine is loaded and its calls
    already use every core (ct2's translators, torch's threads), so two jobs
    calling it at once would only oversubscribe the cores; jobs take turns
    chunk by chunk instead (see :class:`translate.service.runner.JobRunner`).
    """

    def __init__(self, translator: Translator, checks: Sequence[Check] | None = None,
                 fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD, cached_documents: int = 16) -> None:
        self.translator = translator
        self.checks = checks  # translate.qa checks; None: all of them
        self.fuzzy_threshold = fuzzy_threshold
        self._engine_lock = threading.Lock()
        self._cache: OrderedDict[str, Prepared] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cached_documents = cached_documents

    @property
    def engine(self) -> Engine:
        return self.translator.engine

    @property
    def glossary(self) -> Glossary | None:
        return self.translator.glossary

    @property
    def localizer(self) -> Localizer | None:
        return self.translator.localizer

    @property
    def memory(self) -> TranslationMemory | None:
        """The translation memory shared with the CLI (:mod:`translate.service.tm`), or None."""
        return self.translator.memory

    # ------------------------------------------------------------ identity and sizes

    def signature(self) -> str:
        """Everything that changes the machine translation (as ``translate run`` prints it)."""
        return self.translator.signature()

    def chunk_size(self) -> int:
        """Segments per engine call: one batch per ct2 translator, so progress moves often."""
        batch = int(getattr(self.engine, "batch_size", 16))
        return max(8, batch * int(getattr(self.engine, "inter_threads", 1) or 1))

    def load(self) -> None:
        """Load the model now, once, before the service accepts work.

        It is loaded in a thread of lower CPU priority (nice +:data:`ENGINE_NICENESS`,
        Linux): the decoding threads an engine starts there (ct2's translators)
        inherit it, so an edit or a status request gets a core at once while a
        long article translates, and translation takes what is left.
        """
        load = getattr(self.engine, "load", None)
        if not callable(load):
            return
        failure: list[BaseException] = []

        def load_niced() -> None:
            try:
                niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + ENGINE_NICENESS)
                os.setpriority(os.PRIO_PROCESS, 0, niceness)  # this thread only (Linux threads)
            except (AttributeError, OSError):  # not Linux, or not allowed: load at normal priority
                pass
            try:
                load()
            except BaseException as error:  # raised again in the caller's thread
                failure.append(error)

        thread = threading.Thread(target=load_niced, name="engine-load")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]

    # ------------------------------------------------------------ reading

    def prepare(self, name: str, fmt: str, data: bytes, key: str | None = None) -> Prepared:
        """Read, segment and protect a document; with ``key`` (a job id) the result is cached."""
        if key is not None:
            with self._cache_lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
        prepared = self._read(name, fmt, data)
        if key is not None:
            self.keep(key, prepared)
        return prepared

    def keep(self, key: str, prepared: Prepared) -> None:
        """Cache a reading under ``key`` (a job id), dropping the least recently used beyond the limit."""
        with self._cache_lock:
            self._cache[key] = prepared
            while len(self._cache) > self._cached_documents:
                self._cache.popitem(last=False)

    def cached(self, key: str) -> Prepared | None:
        """The cached reading of job ``key``, or None."""
        with self._cache_lock:
            return self._cache.get(key)

    def forget(self, key: str) -> None:
        with self._cache_lock:
            self._cache.pop(key, None)

    def _read(self, name: str, fmt: str, data: bytes) -> Prepared:
        """The pipeline's first stages: load (read, segment) and protect (quantities become codes)."""
        document = load_document(name, fmt, data)
        protections: dict[str, list[Protection]] = {}
        for protection in protect(document, self.localizer):
            protections.setdefault(protection.segment, []).append(protection)
        units = [(segment, block) for block in document.blocks for segment in block.segments]
        return Prepared(document, units, protections)

    def describe(self, prepared: Prepared) -> list[SegmentInfo]:
        """The stored description of every segment (codes, quantities, glossary terms)."""
        infos = []
        for n, (segment, block) in enumerate(prepared.units):
            sid = str(segment.id)
            codes = {
                char: {"kind": code.kind.value, "name": code.name, "data": code.data, "pair": code.pair,
                       "label": code_label(code.kind, code.name, code.data)}
                for char, code in block.codes.items() if char in segment.source
            }
            quantities = [{"char": p.char, "source": p.source_text, "english": p.rendered}
                          for p in prepared.protections.get(sid, [])]
            terms = [{"start": m.start, "end": m.end, "surface": m.surface, "source_term": m.term.source,
                      "targets": list(m.term.targets), "category": m.term.category}
                     for m in match_terms(self.glossary, segment.source)]
            infos.append(SegmentInfo(n, sid, block.index, segment.source, codes, quantities, terms))
        return infos

    # ------------------------------------------------------------ machine translation

    def job_memory(self) -> TranslationMemory:
        """The memory a job translates with: the service's, else one of its own (repeated lines once)."""
        return self.memory if self.memory is not None else DictMemory()

    def translate(self, prepared: Prepared, numbers: list[int],
                  memory: TranslationMemory | None = None) -> Translated:
        """Machine-translate the segments numbered ``numbers``: the memory first, then the engine.

        ``memory`` defaults to the service's translation memory: an exact match is
        used without the engine and the engine's output is stored, as in
        ``translate run --tm``.  The segments are copied into a small document of
        their own, so the prepared (cached) document keeps its sources only and a
        resumed job translates just what is missing.
        """
        document, copies = prepared.copy(numbers)
        ids = {str(segment.id) for segment in copies.values()}
        protections = [p for p in prepared.all_protections() if p.segment in ids]
        with self._engine_lock:
            translate_documents([document], self.engine, memory=memory if memory is not None else self.memory,
                                glossary=self.glossary, protections=protections)
        prepared.scores.update({n: (copy.target or copy.source, copy.score) for n, copy in copies.items()})
        return Translated(document, copies, protections)

    @staticmethod
    def copied(segment: Segment) -> bool:
        """Whether the pipeline copied the source (no words to translate: digits, a lone code)."""
        return segment.state is SegmentState.COPIED

    def confidence(self, prepared: Prepared, n: int, target: str) -> float | None:
        """The engine's confidence (0-1) in ``target``, the machine target :meth:`translate` gave segment n.

        ``exp`` of the engine's average log-probability per token
        (:func:`translate.engines.base.confidence_of`); None for a target the engine
        did not write (copied, from the memory, edited, or from the copy/pseudo engines).
        """
        target_scored, score = prepared.scores.get(n, ("", None))
        return confidence_of(score) if target_scored == target else None

    def tm_matches(self, prepared: Prepared, n: int, target: str | None = None) -> list[dict[str, Any]]:
        """Translation memory matches for a segment (see :func:`translate.service.tm.offered_matches`)."""
        if self.memory is None:
            return []
        return offered_matches(self.memory, prepared, n, target, self.fuzzy_threshold)

    def remember(self, prepared: Prepared, targets: Mapping[int, str]) -> int:
        """Store confirmed targets in the memory as approved post-edits; returns how many.

        ``translate run --tm``, ``export`` and the service then reuse them whatever the engine.
        """
        if self.memory is None:
            return 0
        entries = post_edits(prepared, targets, self.signature())
        self.memory.store(entries)
        return len(entries)

    # ------------------------------------------------------------ checks

    def target_problems(self, prepared: Prepared, n: int, target: str) -> list[str]:
        """What is wrong with a person's ``target`` for segment ``n`` on its own (see :mod:`.codes`)."""
        segment, block = prepared.units[n]
        return target_problems(segment.source, target, block.codes)

    def findings(self, prepared: Prepared, n: int, target: str) -> list[dict[str, Any]]:
        """The QA findings of one segment's target: every :mod:`translate.qa` check, on this segment."""
        segment, block = prepared.units[n]
        sid = str(segment.id)
        unit = QAUnit(sid, segment.source, target, block.codes,
                      protections=tuple(prepared.protections.get(sid, ())))
        return [issue.as_dict() for issue in run_checks([unit], self.checks, self.glossary)]

    def document_findings(self, document: Document, segments: Mapping[int, Segment],
                          protections: Sequence[Protection],
                          scores: Mapping[str, float] | None = None) -> dict[int, list[dict[str, Any]]]:
        """The QA findings of segments checked together (checks that compare segments see them all).

        ``scores`` (the engine's, by segment id) replace those on the segments.
        """
        checked = check_document(document, protections, self.glossary, self.checks, scores)
        grouped = findings_by_segment(checked.issues)
        return {n: [issue.as_dict() for issue in grouped.get(str(segment.id), [])]
                for n, segment in segments.items()}

    def job_findings(self, prepared: Prepared,
                     targets: Mapping[int, str | None]) -> dict[int, list[dict[str, Any]]]:
        """The QA findings of a whole job's current targets, segment by segment."""
        document, copies = self.with_targets(prepared, targets)
        scores = {str(prepared.units[n][0].id): score for n, (scored, score) in prepared.scores.items()
                  if score is not None and targets.get(n) == scored}  # targets still as the engine wrote them
        return self.document_findings(document, copies, prepared.all_protections(), scores)

    def term_uses(self, prepared: Prepared, n: int, target: str) -> list[dict[str, Any]]:
        """The glossary audit of one segment's target: which term occurrences it has and lacks."""
        segment, _block = prepared.units[n]
        matches = match_terms(self.glossary, segment.source)
        if not matches:
            return []
        return [asdict(use) | {"found": use.found}
                for use in audit_segment(str(segment.id), segment.source, matches, target)]

    # ------------------------------------------------------------ output

    @staticmethod
    def with_targets(prepared: Prepared, targets: Mapping[int, str | None],
                     copied: Sequence[int] = ()) -> tuple[Document, dict[int, Segment]]:
        """Copies of the segments that have a target, with it in place (``copied``: source copied)."""
        document, copies = prepared.copy([n for n, target in targets.items() if target is not None])
        for n, segment in copies.items():
            segment.target = targets[n]
            segment.state = SegmentState.COPIED if n in copied else SegmentState.TRANSLATED
        return document, copies

    def render(self, name: str, fmt: str, data: bytes, targets: Mapping[int, str | None]) -> bytes:
        """The document in its format with ``targets`` (by segment number) in place.

        Read afresh, because writers may change the parsed document they write.
        A segment without a target keeps its source.  The targets are checked as
        every merged target is (:func:`~translate.targets.apply_targets`).
        """
        prepared = self._read(name, fmt, data)
        wanted = {str(prepared.units[n][0].id): t for n, t in targets.items() if t is not None}
        return render_document(apply_targets(prepared.document, wanted))

    @staticmethod
    def output_name(name: str) -> str:
        """``berita.id.docx`` → ``berita.en.docx``."""
        return target_name(Path(name))

    def export_exchange(self, prepared: Prepared, data: bytes, targets: Mapping[int, str | None],
                        confirmed: Sequence[int], copied: Sequence[int], kind: str = "xliff") -> bytes:
        """The job as XLIFF 1.2, XLIFF 2.1 or PO (see :func:`translate.service.exchange.export_job`)."""
        return export_job(self, prepared, data, targets, confirmed, copied, kind)

    def import_exchange(self, prepared: Prepared, data: bytes, original: bytes,
                        kind: str | None = None) -> list[Imported]:
        """The units changed in an edited exchange file (:func:`translate.service.exchange.import_units`)."""
        return import_units(self, prepared, data, original, kind)

    def translate_text(self, text: str, fmt: str) -> dict[str, Any]:
        """One short text, translated at once (``POST /api/translate``): the text and its checks."""
        document = load_document("text", fmt, text.encode("utf-8"))
        with self._engine_lock:
            translated = self.translator.translate(document)
        issues = check_document(document, translated.protections, self.glossary, self.checks).issues
        return {
            "translation": render_document(document).decode("utf-8"),
            "segments": sum(1 for _ in document.segments()),
            "qa": [issue.as_dict() for issue in issues],
            "terms": [asdict(use) | {"found": use.found} for use in translated.terms],
            "signature": self.signature(),
        }


def report_error(error: TranslateError) -> dict[str, Any]:
    """A library error as an API answer's detail: the message, and each problem when it lists them."""
    problems = getattr(error, "problems", None)
    if not problems:
        return {"message": str(error), "problems": []}
    return {"message": str(error), "problems": [str(p) for p in problems]}
