"""What an exchange file (XLIFF, PO) holds: one unit per segment, codes as numbered tags.

Writers and readers of each file format only translate between these dataclasses
and their syntax; :mod:`translate.exchange.export` builds them from translated
documents and :mod:`translate.exchange.importer` checks them against the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Roles of an inline tag in a unit's content.
START, END = "start", "end"  # a span opened and closed in this unit (<g>, <pc>)
OPEN, CLOSE = "open", "close"  # half of a span whose other half is in another unit (<bx/>, <ex/>)
ISOLATED = "isolated"  # a standalone code (<x/>, <ph/>)


@dataclass(frozen=True)
class Tag:
    """An inline tag in unit content; ``id`` is shared by the START and END of a span."""

    role: str
    id: str


Content = list[str | Tag]


@dataclass(frozen=True)
class TagInfo:
    """What a tag id stands for: its markup (``data``; a span's closing markup in ``end_data``)."""

    id: str
    role: str  # START (a span: both halves here), OPEN, CLOSE or ISOLATED
    name: str  # "strong", "link", "image"... for ctype/type attributes
    data: str
    end_data: str = ""


@dataclass
class Alternative:
    """A translation offered beside the target: the MT, or a fuzzy match from the memory."""

    kind: str  # "mt" or "tm"
    source: Content
    target: Content
    tags: dict[str, TagInfo]
    origin: str  # engine signature or memory origin (post-edit, imported)
    similarity: float | None = None  # 0-100, fuzzy matches
    confidence: float | None = None  # 0-1, the engine's own estimate (engines.base.confidence_of)


@dataclass
class Unit:
    id: str  # "block.index", the segment id without the document name
    source: Content
    target: Content | None
    tags: dict[str, TagInfo] = field(default_factory=dict)
    origin: str = "mt"  # mt, tm (exact memory match), copied (no words), untranslated
    translate: bool = True
    notes: list[tuple[str, str]] = field(default_factory=list)  # (category, text)
    alternatives: list[Alternative] = field(default_factory=list)
    #: The engine's confidence in an MT target (0-1: ``exp`` of its average log-probability
    #: per token, :func:`translate.engines.base.confidence_of`); None for memory matches,
    #: copied units and engines without a model.  Export also writes it as an ``mt-confidence``
    #: note; XLIFF 2.1 puts it on the MT match as ``matchQuality``.
    confidence: float | None = None
    state: str = ""  # as read back: the target's state attribute, or "fuzzy" for PO
    line: int = 0  # as read back: where the unit starts in the file
    problems: list[str] = field(default_factory=list)  # as read back: what the reader could not take


@dataclass
class Bundle:
    """One document's units and what import needs to find and check the original."""

    original: str  # the original's name as given to export
    path: str  # where the original is, relative to the exchange file's folder when possible
    absolute: str  # the same, absolute: tried when the relative path does not resolve
    sha256: str
    format: str  # the document format registry name
    source_lang: str
    target_lang: str
    signature: str = ""  # the run signature of the translation
    #: Where the machine translation is: "target" (pre-filled, to post-edit) or "match" (only offered as
    #: an alternative; the target is left to the translator), see :data:`translate.exchange.MT_PLACES`.
    mt_as: str = "target"
    units: list[Unit] = field(default_factory=list)


def plain(content: Content) -> str:
    """The text of a content without its tags."""
    return "".join(part for part in content if isinstance(part, str))


def tag_ids(content: Content) -> list[str]:
    return [part.id for part in content if isinstance(part, Tag)]


def merged(content: Content) -> Content:
    """Adjacent text runs joined, empty ones dropped (readers split text at every element)."""
    out: Content = []
    for part in content:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return out
