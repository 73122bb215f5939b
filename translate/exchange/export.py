"""``translate export``: translate documents (or reuse the memory) and write one exchange file each.

The steps are ``run``'s (read, protect quantities, translate, QA) followed by
:func:`build_bundle` instead of the format writer: one unit per segment with the
source as written, the target as ``run`` would write it, the MT and fuzzy memory
matches as alternatives, and notes for the translator: required glossary terms,
localized quantities, the engine's confidence in its translation
(:func:`~translate.engines.base.confidence_of` its score: ``mt-confidence``) and
every QA finding of the unit (``qa``, with its severity and check).  The
confidence is also :attr:`Unit.confidence`, which XLIFF 2.1 writes as the MT
match's ``matchQuality``.  With ``mt_as="match"`` the machine output is only an
alternative and the target is left out: CAT tools that take an existing target
as the text to work on (OmegaT) or show it as the translation then show the
source, and offer the MT as a match; an exact match from the memory (a
person's translation) stays in the target.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document, Segment, SegmentState
from ..engines import Engine
from ..engines.base import confidence_of
from ..errors import InputError, TranslateError
from ..glossary import Glossary, match_terms
from ..localize import Localizer, Protection, protect_document
from ..memory import (
    SOURCE_LANG,
    DictMemory,
    MemoryEntry,
    RecordingMemory,
    TranslationMemory,
    normalise_segment,
    target_lang,
    written_texts,
)
from ..pipeline import (
    Progress,
    load_document,
    localizes,
    needs_engine,
    plan_jobs,
    run_signature,
    translate_documents,
)
from ..qa import QAIssue, check_documents, findings_by_segment
from ..textio import read_bytes, refuse_existing, write_atomic
from . import MT_PLACES, get_exchange
from .codes import TagMap, tag_map, to_content
from .model import Alternative, Bundle, Unit


@dataclass
class ExportResult:
    source: Path
    output: Path
    units: int = 0
    from_memory: int = 0  # units whose target is an exact memory match
    fuzzy: int = 0  # units offered at least one fuzzy match
    error: TranslateError | None = None


@dataclass
class ExportReport:
    signature: str
    results: list[ExportResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    @property
    def failures(self) -> list[ExportResult]:
        return [r for r in self.results if r.error]


def export_files(
    inputs: Iterable[str | Path],
    engine: Engine,
    to: str = "xliff",
    outdir: str | Path | None = None,
    fmt: str = "auto",
    overwrite: bool = False,
    glossary: Glossary | None = None,
    localizer: Localizer | None = None,
    memory: TranslationMemory | None = None,
    fuzzy_threshold: float | None = None,
    progress_factory: Callable[[int], Progress] | None = None,
    mt_as: str = "target",
) -> ExportReport:
    """Translate each input; write ``NAME.EXT.xlf`` (``.po``) beside it, or mirrored under ``outdir``.

    ``mt_as`` is where the machine translation goes (:data:`~translate.exchange.MT_PLACES`).
    """
    if mt_as not in MT_PLACES:
        raise InputError(f"unknown MT placement {mt_as!r}", hint=f"choose one of: {', '.join(MT_PLACES)}")
    exchange = get_exchange(to)
    plan = plan_jobs(inputs, outdir, fmt)
    localizer = localizer if localizes(engine) else None
    report = ExportReport(
        run_signature(engine, glossary) + (f"|{localizer.signature()}" if localizer else ""),
        skipped=plan.skipped,
    )
    recording = RecordingMemory(DictMemory() if memory is None else memory)
    fuzzy = getattr(memory, "fuzzy", None) if fuzzy_threshold is not None else None
    for job in plan.jobs:
        result = ExportResult(job.source, job.output.parent / (job.source.name + exchange.extension))
        report.results.append(result)
        try:
            refuse_existing(result.output, overwrite)
            data = read_bytes(job.source)
            document = load_document(job.source, fmt, data)
            protections = protect_document(document, localizer) if localizer else []
            total = sum(1 for _ in document.segments())
            progress = progress_factory(total) if progress_factory else None
            translate_documents([document], engine, progress, recording, glossary, protections)
            checked = localizer is not None or engine.translates  # copy's output is the source: no QA
            issues = check_documents([document], protections, glossary) if checked else []
            bundle = build_bundle(
                document,
                job.source,
                result.output,
                data,
                protections,
                issues,
                glossary,
                recording.found,
                report.signature,
                (lambda key: fuzzy(key, fuzzy_threshold)) if fuzzy else None,
                mt_as,
            )
            write_atomic(result.output, exchange.write(bundle), overwrite=overwrite)
        except TranslateError as error:
            result.error = error
            continue
        result.units = len(bundle.units)
        result.from_memory = sum(1 for u in bundle.units if u.origin in ("tm", "tm-mt"))
        result.fuzzy = sum(
            1 for u in bundle.units if any(a.kind == "tm" and a.similarity != 100 for a in u.alternatives)
        )
    return report


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_bundle(
    document: Document,
    source: Path,
    output: Path,
    data: bytes,
    protections: Sequence[Protection],
    issues: Sequence[QAIssue],
    glossary: Glossary | None,
    found: dict,
    signature: str,
    fuzzy: Callable | None = None,
    mt_as: str = "target",
) -> Bundle:
    """The exchange content of a translated document (see the module docstring)."""
    language = target_lang(document.target_locale)
    relative = os.path.relpath(source.resolve(), output.resolve().parent)
    bundle = Bundle(
        str(source),
        Path(relative).as_posix(),
        str(source.resolve()),
        sha256(data),
        document.format,
        SOURCE_LANG,
        language,
        signature,
        mt_as,
    )
    written = written_texts(protections)
    by_segment = findings_by_segment(issues)
    for block in document.blocks:
        for segment in block.segments:
            seg_id = str(segment.id)
            quantities = written.get(seg_id, {})
            tags = tag_map(segment.source, block.codes, skip=quantities)
            target_texts = {c: block.codes[c].data for c in quantities}
            unit = Unit(
                f"{segment.id.block}.{segment.id.index}",
                to_content(segment.source, tags, quantities),
                None,
                tags.info,
            )
            if segment.target is not None:
                unit.target = to_content(segment.target, tags, target_texts)
            norm = normalise_segment(segment, block, quantities)
            key = norm.key(SOURCE_LANG, language)
            unit.origin, unit.translate = _origin(segment, found.get(key))
            unit.confidence = confidence_of(segment.score)  # None unless the engine wrote it in this run
            if unit.target is not None and unit.origin != "copied":
                entry = found.get(key)
                kind = "tm" if unit.origin == "tm" else "mt"
                origin = entry.origin if kind == "tm" and entry else (entry.signature if entry else signature)
                similarity = 100.0 if kind == "tm" else None
                unit.alternatives.append(
                    Alternative(
                        kind, unit.source, unit.target, tags.info, origin, similarity, unit.confidence
                    )
                )
            if mt_as == "match" and unit.origin in ("mt", "tm-mt"):
                unit.target = None  # the MT stays in unit.alternatives
            if fuzzy is not None and needs_engine(segment):
                unit.alternatives += [_fuzzy(score, entry) for score, entry in fuzzy(key)]
            unit.notes = _notes(
                segment, glossary, [p for p in protections if p.segment == seg_id], by_segment.get(seg_id, [])
            )
            bundle.units.append(unit)
    return bundle


def _origin(segment: Segment, entry: MemoryEntry | None) -> tuple[str, bool]:
    if segment.state is SegmentState.COPIED:
        return "copied", any(c.isalpha() for c in segment.source)
    if segment.target is None:
        return "untranslated", True
    if entry is not None:
        return ("tm" if entry.approved else "tm-mt"), True
    return "mt", True


def _fuzzy(score: float, entry: MemoryEntry) -> Alternative:
    table = entry.code_table()
    tags: TagMap = tag_map(entry.key.source, table)
    return Alternative(
        "tm",
        to_content(entry.key.source, tags),
        to_content(entry.target, tags),
        tags.info,
        entry.origin,
        score,
    )


def _notes(
    segment: Segment, glossary: Glossary | None, protections: Sequence[Protection], issues: Sequence[QAIssue]
) -> list[tuple[str, str]]:
    """What the translator should know: required terms, localized quantities, MT confidence, QA findings."""
    notes = []
    for match in match_terms(glossary, segment.source):
        notes.append(
            (
                "glossary",
                f"{match.surface} → {' / '.join(match.term.targets)} (required; {match.term.origin})",
            )
        )
    for protection in protections:
        if protection.source_text != protection.rendered:
            notes.append(("quantity", f"{protection.source_text} → {protection.rendered} (localized)"))
    confidence = confidence_of(segment.score)
    if confidence is not None:
        notes.append(("mt-confidence", f"{confidence:.0%} (the engine's average log-probability "
                                       f"{segment.score:.2f} per token)"))
    notes += [("qa", f"{issue.severity} ({issue.check}): {issue.message}") for issue in issues]
    return list(dict.fromkeys(notes))  # a term met twice in a sentence is one note, not two
