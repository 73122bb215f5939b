"""``translate import``: a translator's edited XLIFF or PO back into the original's format.

The edited file is checked against the original before anything is written: the
original must be the exported one (same SHA-256), every unit id must name a
segment (and every segment have its unit), the source must be unchanged, and the
target must hold each of the source's tags once (a tag may move; spans must still
nest, see :mod:`translate.targets`).  Every problem is listed with its unit id and
line; then nothing is written.  A translator's text is used as written; a unit
whose target is empty keeps the machine translation and is counted.  Units whose
target was edited (or confirmed by a state change) go into the translation memory
as approved post-edits.

A file exported with the MT only as a match (``export --mt-as match``) has no
targets to begin with, so there an empty target, or one that is the source
copied over (what CAT tools write for a segment nobody translated), means the
translator did not touch the unit: it keeps the machine translation and is
counted as untouched.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document
from ..errors import InputError, MergeError
from ..formats import get_format
from ..memory import SOURCE_LANG, MemoryEntry, TranslationMemory, normalise_segment, to_memory
from ..pipeline import load_document, target_name
from ..targets import TargetError, apply_targets
from ..textio import read_bytes, write_atomic
from . import detect_exchange, get_exchange
from .codes import TagMap, from_content, tag_map, to_content
from .export import sha256
from .model import CLOSE, END, OPEN, START, Bundle, Content, Tag, Unit, merged, plain

#: Target states (XLIFF 1.2, 2.x) that say a person has accepted the target.
CONFIRMED_STATES = {"translated", "final", "signed-off", "reviewed", "needs-review-l10n", "needs-l10n"}


class ImportProblems(MergeError):
    """An edited file that does not fit its original; ``problems`` has one line per problem."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s); nothing was written",
            path=path,
            hint="fix them in the CAT tool and import again",
        )


@dataclass
class ImportResult:
    exchange: Path
    original: Path
    output: Path
    counts: Counter = field(default_factory=Counter)  # edited, confirmed, untouched, empty, copied
    stored: int = 0  # post-edits stored in the memory


def find_original(bundle: Bundle, exchange: Path, source: str | Path | None) -> Path:
    """``--source``, else the recorded path (relative to the exchange file), else the absolute one."""
    if source is not None:
        return Path(source)
    candidates = [
        exchange.parent / bundle.path if bundle.path else None,
        Path(bundle.absolute) if bundle.absolute else None,
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return Path(os.path.normpath(candidate))
    raise InputError(
        f"the original {bundle.original or bundle.path!r} is not where the export recorded it "
        f"({bundle.path} beside this file, or {bundle.absolute})",
        path=str(exchange),
        hint="pass --source FILE",
    )


def import_file(
    path: str | Path,
    source: str | Path | None = None,
    output: str | Path | None = None,
    overwrite: bool = False,
    memory: TranslationMemory | None = None,
) -> ImportResult:
    """Check ``path`` against its original, write the translated document, store post-edits."""
    path = Path(path)
    data = read_bytes(path)
    bundle = get_exchange(detect_exchange(path, data)).read(data, str(path))
    original = find_original(bundle, path, source)
    original_data = read_bytes(original)
    if sha256(original_data) != bundle.sha256:
        raise InputError(
            f"the original {original} changed since the export (SHA-256 {bundle.sha256[:12]}… "
            f"recorded, {sha256(original_data)[:12]}… now)",
            path=str(path),
            hint="export the current original again, or pass --source with the exported version",
        )
    document = load_document(original, bundle.format, original_data)
    targets, entries, counts = apply_bundle(document, bundle, str(path))
    destination = _destination(original, output)
    write_atomic(destination, get_format(document.format).write(document), overwrite=overwrite)
    result = ImportResult(path, original, destination, counts)
    if memory is not None and entries:
        memory.store(entries)
        result.stored = len(entries)
    return result


def apply_bundle(
    document: Document, bundle: Bundle, name: str
) -> tuple[dict[str, str], list[MemoryEntry], Counter]:
    """Set an edited bundle's targets on its original, freshly read (not protected), checked as import checks.

    Returns the targets by segment id, the post-edits for the memory and the counts of
    what the translator did.  Raises :class:`ImportProblems` (named ``name``) listing
    every problem with its line and unit id; then nothing is set.  For callers that hold
    the original's bytes themselves (``translate serve``).
    """
    targets, entries, counts = _targets(document, bundle, name)
    try:
        apply_targets(document, targets)
    except TargetError as error:
        lines = {f"{document.name}#{u.id}": u.line for u in bundle.units}
        raise ImportProblems(
            name,
            [
                f"line {lines.get(p.segment, 0)}: unit {p.segment.rsplit('#', 1)[-1]}: {p.message}"
                for p in error.problems
            ],
        ) from None
    return targets, entries, counts


def unit_status(unit: Unit) -> str:
    """What the translator did with a unit read back: edited, confirmed, untouched, empty or copied."""
    return _chosen(unit)[1]


def _destination(original: Path, output: str | Path | None) -> Path:
    if output is None:
        return original.parent / target_name(original)
    output = Path(output)
    return output / target_name(original) if output.is_dir() else output


def _targets(
    document: Document, bundle: Bundle, name: str
) -> tuple[dict[str, str], list[MemoryEntry], Counter]:
    problems: list[str] = []
    units: dict[str, Unit] = {}
    for unit in bundle.units:
        where = f"line {unit.line}: unit {unit.id}"
        problems += [f"{where}: {p}" for p in unit.problems]
        if unit.id in units:
            problems.append(f"{where}: duplicated unit id (also on line {units[unit.id].line})")
        units.setdefault(unit.id, unit)
    segments = {f"{s.id.block}.{s.id.index}": (s, b) for b in document.blocks for s in b.segments}
    for unit_id, unit in units.items():
        if unit_id not in segments:
            problems.append(
                f"line {unit.line}: unit {unit_id}: unknown unit id (no such segment in {document.name})"
            )
    targets: dict[str, str] = {}
    entries: list[MemoryEntry] = []
    counts: Counter = Counter()
    for unit_id, (segment, block) in segments.items():
        found = units.get(unit_id)
        if found is None:
            problems.append(f"unit {unit_id}: missing from the file (the export had it)")
            continue
        unit = found
        where = f"line {unit.line}: unit {unit_id}"
        tags = tag_map(segment.source, block.codes)
        expected = to_content(segment.source, tags)
        if _normal(unit.source) != _normal(expected):
            problems.append(
                f"{where}: the source differs from the original's segment "
                f"({plain(unit.source)[:60]!r}); edit targets only"
            )
            continue
        chosen, status = _chosen(unit, bundle.mt_as == "match")
        counts[status] += 1
        tag_problems = check_tags(chosen, tags)
        if tag_problems:
            problems += [f"{where}: {p}" for p in tag_problems]
            continue
        coded = from_content(_roles(chosen, tags), tags)
        targets[str(segment.id)] = coded
        if status in ("edited", "confirmed"):
            norm = normalise_segment(segment, block)
            stored = to_memory(coded, norm, block.codes)
            if stored is not None:
                entries.append(
                    MemoryEntry(
                        norm.key(SOURCE_LANG, bundle.target_lang),
                        stored,
                        norm.code_data,
                        bundle.original,
                        "post-edit",
                        True,
                        bundle.signature,
                    )
                )
    if problems:
        raise ImportProblems(name, problems)
    return targets, entries, counts


def _normal(content: Content) -> list:
    """Content compared by text and tag ids (a tool may split text runs differently)."""
    return [part.id if isinstance(part, Tag) else part for part in merged(content)]


def _chosen(unit: Unit, mt_as_match: bool = False) -> tuple[Content, str]:
    """The content to use and what the translator did: edited, confirmed, untouched or empty.

    The baseline is what export put in the target: the MT, or an exact memory match
    (with ``mt_as_match``, the MT offered as a match; see the module docstring).
    """
    exported = next((a for a in unit.alternatives if a.kind == "mt" or a.similarity == 100), None)
    baseline = exported.target if exported is not None else None
    target = unit.target or []
    empty = not plain(target).strip() and not any(isinstance(p, Tag) for p in target)
    if mt_as_match and baseline is not None and unit.translate and (
        empty or _normal(target) == _normal(unit.source)
    ):
        return baseline, "untouched"
    if empty:
        return (baseline, "empty") if baseline is not None else (unit.source, "empty")
    if not unit.translate:
        return target, "copied"
    if exported is not None and baseline is not None and _normal(target) == _normal(baseline):
        confirmed = exported.kind == "mt" and unit.state in CONFIRMED_STATES
        return target, "confirmed" if confirmed else "untouched"
    return target, "edited"


def check_tags(content: Content, tags: TagMap) -> list[str]:
    """Each of the source's tags once, in the right role; none from elsewhere (one message per tag)."""
    problems: list[str] = []
    seen = Counter(part for part in _roles(content, tags) if isinstance(part, Tag))
    for tag in seen:
        if tag not in tags.chars():
            known = tags.info.get(tag.id)
            there = f"; there it is a {known.role} tag" if known else ""
            problems.append(f"tag {tag.id} ({tag.role}) is not in the source{there}")
    for info in tags.info.values():
        wanted = [Tag(START, info.id), Tag(END, info.id)] if info.role == START else [Tag(info.role, info.id)]
        counts = {seen[tag] for tag in wanted}
        markup = repr(info.data + (f"…{info.end_data}" if info.role == START else ""))
        if 0 in counts:
            problems.append(f"tag {info.id} ({markup}) is missing from the target")
        elif max(counts) > 1:
            problems.append(f"tag {info.id} ({markup}) appears {max(counts)} times")
    return problems


def _roles(content: Content, tags: TagMap) -> Content:
    """A span's halves written as <bx/>/<ex/> (or bpt/ept) by a tool are the span's START and END."""
    out: Content = []
    for part in content:
        if isinstance(part, Tag) and part.id in tags.info and tags.info[part.id].role == START:
            part = Tag(
                START if part.role in (START, OPEN) else END if part.role in (END, CLOSE) else part.role,
                part.id,
            )
        out.append(part)
    return out


__all__ = [
    "ImportProblems",
    "ImportResult",
    "apply_bundle",
    "check_tags",
    "find_original",
    "import_file",
    "unit_status",
]
