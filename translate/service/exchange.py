"""A job as XLIFF or PO for a CAT tool, and the translator's edited file back into the job.

Export is ``translate export``'s :func:`~translate.exchange.export.build_bundle`
over the job's current targets (a confirmed segment is marked as a person's
translation, the rest as machine output to review), with the memory's fuzzy
matches as alternatives and the QA findings as notes.  Import reads the file
with :mod:`translate.exchange`'s readers and checks it as ``translate import``
does (:func:`~translate.exchange.importer.apply_bundle`: the job's original,
unit ids, unchanged sources, tags), then keeps the units the translator changed,
in the service's codes: a localized quantity is a tag in the service, so its
English must be written as exported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..exchange import detect_exchange, get_exchange
from ..exchange.export import build_bundle, sha256
from ..exchange.importer import CONFIRMED_STATES, ImportProblems, apply_bundle, unit_status
from ..memory import MemoryEntry, NormalisedSegment, from_memory
from ..pipeline import load_document
from ..qa import check_document

if TYPE_CHECKING:
    from .work import Prepared, Workbench

#: The content type of each exchange format (translate.exchange's registry names).
EXCHANGE_MEDIA_TYPES: dict[str, str] = {
    "xliff": "application/xliff+xml",
    "xliff2": "application/xliff+xml",
    "po": "text/x-gettext-translation; charset=utf-8",
}


@dataclass
class Imported:
    """One unit a translator changed in an exchange file, as a target for segment ``n``."""

    n: int
    unit: str  # the unit id (block.index)
    line: int
    target: str  # coded, in the service's codes (quantities as their tags)
    confirmed: bool  # the unit's state says the translator accepted it
    status: str  # edited or confirmed (translate.exchange.importer.unit_status)


def detect_exchange_kind(data: bytes, requested: str | None = None) -> str:
    """The exchange format of an uploaded file: ``requested``, else XLIFF (1.2 or 2.x) for XML, else PO."""
    if requested:
        return requested
    head = data[:2000].lstrip(b"\xef\xbb\xbf \t\r\n")
    return detect_exchange("upload.xlf", data) if head.startswith(b"<") else "po"


def export_job(bench: Workbench, prepared: Prepared, data: bytes, targets: Mapping[int, str | None],
               confirmed: Sequence[int], copied: Sequence[int], kind: str = "xliff") -> bytes:
    """The job as ``kind`` (``xliff``: 1.2, ``xliff2``: 2.1, ``po``), as ``translate export`` writes it."""
    exchange = get_exchange(kind)
    document, copies = bench.with_targets(prepared, targets, copied)
    protections = prepared.all_protections()
    issues = check_document(document, protections, bench.glossary, bench.checks).issues
    keys = {n: prepared.memory_key(n)[1] for n in confirmed if n in copies}
    found = {key: MemoryEntry(key, targets[n] or "", origin="post-edit", approved=True)
             for n, key in keys.items()}
    fuzzy = getattr(bench.memory, "fuzzy", None)
    name = prepared.document.name
    bundle = build_bundle(document, Path(name), Path(name + exchange.extension), data, protections, issues,
                          bench.glossary, found, bench.signature(),
                          (lambda key: fuzzy(key, bench.fuzzy_threshold)) if fuzzy is not None else None)
    bundle.path, bundle.absolute = name, ""  # no path of the server's goes into the file
    return exchange.write(bundle)


def import_units(bench: Workbench, prepared: Prepared, data: bytes, original: bytes,
                 kind: str | None = None) -> list[Imported]:
    """The units a translator changed in a file exported from this job (``original``: the job's bytes).

    Raises :class:`~translate.exchange.importer.ImportProblems` listing every
    problem with its line and unit id, or an InputError for a file exported
    from another document.
    """
    name = prepared.document.name
    bundle = get_exchange(detect_exchange_kind(data, kind)).read(data, name)
    if bundle.sha256 != sha256(original):
        raise InputError(f"the file was exported from another document (SHA-256 {bundle.sha256[:12]}…, "
                         f"this job's is {sha256(original)[:12]}…)", path=name,
                         hint="import it into the job it was exported from")
    unprotected = load_document(name, prepared.document.format, original)  # as `translate import` reads it
    targets, _entries, _counts = apply_bundle(unprotected, bundle, name)
    units = {unit.id: unit for unit in bundle.units}
    changed: list[Imported] = []
    problems: list[str] = []
    for n, (segment, block) in enumerate(prepared.units):
        unit = units[f"{segment.id.block}.{segment.id.index}"]
        status = unit_status(unit)
        if status not in ("edited", "confirmed"):
            continue
        # no tags to map (the markup's code characters are the same), only quantities to find again
        written = {p.char: p.source_text for p in prepared.protections.get(str(segment.id), ())}
        coded, complete = from_memory(targets[str(segment.id)], NormalisedSegment("", [], [], written),
                                      block.codes)
        where = f"line {unit.line}: unit {unit.id}"
        if not complete:
            english = ", ".join(repr(block.codes[char].data) for char in written)
            problems.append(f"{where}: write each quantity as exported ({english}): the service keeps "
                            "localized quantities as tags")
            continue
        problems += [f"{where}: {problem}" for problem in bench.target_problems(prepared, n, coded)]
        changed.append(Imported(n, unit.id, unit.line, coded, unit.state in CONFIRMED_STATES, status))
    if problems:
        raise ImportProblems(name, problems)
    return changed
