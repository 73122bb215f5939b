"""The one place the service calls the translation library: every route and job goes through here.

The service needs a handful of operations on a stored document: read it into
segments, machine-translate some of them, check a target, apply targets and
write the file, and (later) exchange XLIFF.  They are gathered in
:class:`Workbench` so that the pipeline's next APIs (translation memory,
per-segment QA findings, XLIFF, pipeline stages) replace the bodies of these
methods, not code spread over the routes.  Today's building blocks are
:func:`translate.pipeline.load_document` and
:func:`~translate.pipeline.translate_documents`,
:func:`translate.localize.protect_document`, the format registry's writers,
:func:`translate.glossary.audit_segment` and :func:`translate.qa.check_numbers`.

A stored document is read again from its bytes whenever it is needed (segment
ids, protected quantities and code characters are deterministic for the same
bytes and settings), so nothing but the bytes and the per-segment targets has
to be kept.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..document import Block, CodeKind, Document, Segment, SegmentState
from ..engines import Engine
from ..engines.base import confidence_of
from ..errors import InputError, TranslateError
from ..formats import EXTENSIONS, get_format
from ..glossary import Glossary, audit_segment, match_terms
from ..localize import CODE_NAME, Localizer, Protection, protect_document
from ..memory import TranslationMemory
from ..pipeline import load_document, localizes, run_signature, target_name, translate_documents
from ..qa import check_numbers

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


class Unavailable(TranslateError):
    """A feature whose library module is not part of this build (the route answers 501)."""


@dataclass
class Prepared:
    """A document read, segmented and protected: sources only, never changed once prepared (but scores)."""

    document: Document
    units: list[tuple[Segment, Block]]  # every segment in document order, with its block
    protections: dict[str, list[Protection]] = field(default_factory=dict)  # by segment id
    #: The engine's score of the last machine target of each segment (by number), with that
    #: target: what :meth:`Workbench.confidence` answers from.
    scores: dict[int, tuple[str, float | None]] = field(default_factory=dict)


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
    """The engine, glossary and localizer of one service, and the operations on its documents.

    Engine calls are serialised by a lock: one engine is loaded and its calls
    already use every core (ct2's translators, torch's threads), so two jobs
    calling it at once would only oversubscribe the cores; jobs take turns
    chunk by chunk instead (see :class:`translate.service.runner.JobRunner`).
    """

    def __init__(self, engine: Engine, glossary: Glossary | None = None, localizer: Localizer | None = None,
                 cached_documents: int = 16) -> None:
        self.engine = engine
        self.glossary = glossary
        self.localizer = localizer if localizes(engine) else None
        self._engine_lock = threading.Lock()
        self._cache: OrderedDict[str, Prepared] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cached_documents = cached_documents

    # ------------------------------------------------------------ identity and sizes

    def signature(self) -> str:
        """Everything that changes the machine translation (as ``translate run`` prints it)."""
        signature = run_signature(self.engine, self.glossary)
        return signature + (f"|{self.localizer.signature()}" if self.localizer else "")

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
        document = load_document(name, fmt, data)
        protections: dict[str, list[Protection]] = {}
        if self.localizer is not None:
            for protection in protect_document(document, self.localizer):
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

    def translate(self, prepared: Prepared, numbers: list[int],
                  memory: TranslationMemory | None = None) -> dict[int, str]:
        """Machine-translate the segments numbered ``numbers``; returns their coded targets.

        The segments are copied into a small document of their own, so the
        prepared (cached) document keeps its sources only and a resumed job
        translates just what is missing.
        """
        copies: dict[int, Segment] = {}
        blocks: dict[int, Block] = {}
        for n in numbers:
            segment, block = prepared.units[n]
            copy = Segment(segment.id, segment.source)
            copies[n] = copy
            part = blocks.setdefault(block.index, Block(block.index, block.kind, block.codes, [], [""]))
            part.segments.append(copy)
            part.gaps.append("")
        document = Document(prepared.document.name, prepared.document.format, list(blocks.values()))
        with self._engine_lock:
            ids = [str(prepared.units[n][0].id) for n in numbers]
            protections = [p for sid in ids for p in prepared.protections.get(sid, [])]
            translate_documents([document], self.engine, memory=memory, glossary=self.glossary,
                                protections=protections)
        targets = {n: copy.target if copy.target is not None else copy.source for n, copy in copies.items()}
        prepared.scores.update({n: (targets[n], copy.score) for n, copy in copies.items()})
        return targets

    def copied(self, target: str, prepared: Prepared, n: int) -> bool:
        """Whether a machine target is the source copied (nothing to translate: digits, a lone code)."""
        return target == prepared.units[n][0].source

    def confidence(self, prepared: Prepared, n: int, target: str) -> float | None:
        """The engine's confidence (0-1) in ``target``, the machine target :meth:`translate` gave segment n.

        ``exp`` of the engine's average log-probability per token
        (:func:`translate.engines.base.confidence_of`); None for a target the engine
        did not write (copied, from the memory, edited, or from the copy/pseudo engines).
        """
        target_scored, score = prepared.scores.get(n, ("", None))
        return confidence_of(score) if target_scored == target else None

    def tm_matches(self, prepared: Prepared, n: int) -> list[dict[str, Any]]:
        """Translation memory matches for a segment: none until :mod:`translate.memory` is wired in."""
        return []

    # ------------------------------------------------------------ checks

    def findings(self, prepared: Prepared, n: int, target: str) -> list[dict[str, str]]:
        """QA findings of one segment's target (today: the number check of :mod:`translate.qa`)."""
        if self.localizer is None:
            return []
        segment, _block = prepared.units[n]
        sid = str(segment.id)
        issues = check_numbers(segment.source, target, prepared.protections.get(sid, ()), sid)
        return [asdict(issue) for issue in issues]

    def term_uses(self, prepared: Prepared, n: int, target: str) -> list[dict[str, Any]]:
        """The glossary audit of one segment's target: which term occurrences it has and lacks."""
        segment, _block = prepared.units[n]
        matches = match_terms(self.glossary, segment.source)
        if not matches:
            return []
        return [asdict(use) | {"found": use.found}
                for use in audit_segment(str(segment.id), segment.source, matches, target)]

    # ------------------------------------------------------------ output

    def render(self, name: str, fmt: str, data: bytes, targets: dict[int, str | None]) -> bytes:
        """The document in its format with ``targets`` (by segment number) in place.

        Read afresh, because writers may change the parsed document they write.
        A segment without a target keeps its source.
        """
        wanted = {n: target for n, target in targets.items() if target is not None}
        return self.render_prepared(self._read(name, fmt, data), wanted)

    @staticmethod
    def output_name(name: str) -> str:
        """``berita.id.docx`` → ``berita.en.docx``."""
        return target_name(Path(name))

    def export_xliff(self, prepared: Prepared, targets: dict[int, str | None]) -> bytes:
        """The job as XLIFF: needs :mod:`translate.exchange`, which this build does not have."""
        raise Unavailable("XLIFF export is not available in this build",
                          hint="it arrives with translate.exchange; use the segments JSON meanwhile")

    def import_xliff(self, prepared: Prepared, data: bytes) -> dict[int, str]:
        """Targets from an XLIFF file: needs :mod:`translate.exchange`, which this build does not have."""
        raise Unavailable("XLIFF import is not available in this build",
                          hint="it arrives with translate.exchange; PUT each segment's target meanwhile")

    def translate_text(self, text: str, fmt: str) -> dict[str, Any]:
        """One short text, translated at once (``POST /api/translate``): the text and its checks."""
        prepared = self._read("text", fmt, text.encode("utf-8"))
        targets = self.translate(prepared, list(range(len(prepared.units))))
        data = self.render_prepared(prepared, targets)
        return {
            "translation": data.decode("utf-8"),
            "segments": len(prepared.units),
            "qa": [f for n, t in targets.items() for f in self.findings(prepared, n, t)],
            "terms": [u for n, t in targets.items() for u in self.term_uses(prepared, n, t)],
            "signature": self.signature(),
        }

    @staticmethod
    def render_prepared(prepared: Prepared, targets: dict[int, str]) -> bytes:
        """Write a prepared document that is not shared (not cached) with ``targets`` in place."""
        for n, (segment, _block) in enumerate(prepared.units):
            if n in targets:
                segment.target, segment.state = targets[n], SegmentState.TRANSLATED
        return get_format(prepared.document.format).write(prepared.document)
