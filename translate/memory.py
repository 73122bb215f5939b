"""Translation memory: sentences translated (or post-edited) once are never translated again.

A segment's *memory key* is its source as the reader saw it, made independent of
the document it came from:

* inline codes are per block (``\\ue000`` is a ``**`` here, an ``<a href>`` there),
  so each code becomes a positional placeholder (the n-th code of the segment is
  ``U+E000 + n``) and the key records each one's kind and pairing (``o1`` an open
  whose close is placeholder 1, ``c0``, ``o``/``c`` a span open or closed in
  another sentence, ``i`` isolated).  What the markup *is* (a URL, ``**`` or
  ``<b>``) is not part of the key: the same sentence with another link is the
  same sentence, and the stored target is rebuilt with the current codes;
* quantities protected by :func:`translate.localize.protect_document` are written
  back as the Indonesian text they replaced (``2,5 meter``), so the key is the
  sentence as written, the same whether it was read for ``run``, for ``export``
  or freshly for ``import``.  Targets store them as their English rendering; a
  reused target gets its quantity codes back where that rendering is found.

:class:`TranslationMemory` is what the pipeline needs (look up, store);
:class:`DictMemory` is the in-process one every run has (identical lines of a
folder of articles are translated once); :class:`translate.memory_store.SQLiteMemory`
is the persistent one behind ``--tm``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .document import Block, CodeKind, InlineCode, Segment, code_char, code_index, is_code_char

SOURCE_LANG = "id"
#: Where the translation came from: an engine, a translator's edit, another tool's memory (TMX).
ORIGINS = ("mt", "post-edit", "imported")


@dataclass(frozen=True)
class MemoryKey:
    """What an exact match must share: languages, normalised source, code kinds and pairing."""

    source_lang: str
    target_lang: str
    source: str  # the sentence as written; codes as placeholders U+E000 + n
    codes: str  # kinds and pairing of the placeholders, e.g. "o1 c0 i"


@dataclass
class MemoryEntry:
    """One stored translation; ``target`` uses the placeholders of ``key.source``."""

    key: MemoryKey
    target: str
    code_data: list[dict] = field(default_factory=list)  # per placeholder: kind, pair, name, data
    document: str = ""
    origin: str = "mt"  # one of ORIGINS
    approved: bool = False  # a person's translation (post-edit, imported), reused whatever the engine
    signature: str = ""  # for MT: the run signature that produced it
    created: str = ""  # ISO 8601, UTC

    def code_table(self) -> dict[str, InlineCode]:
        """The placeholders as inline codes (for writing the entry as XLIFF, PO or TMX)."""
        return code_table(self.code_data)


class TranslationMemory(Protocol):
    """What :func:`translate.pipeline.translate_documents` needs from a memory."""

    def lookup(self, key: MemoryKey, signature: str) -> MemoryEntry | None:
        """The best exact match: a person's translation first, else MT made with ``signature``."""

    def store(self, entries: Sequence[MemoryEntry]) -> None:
        """Keep these entries (one transaction: all or none)."""


class DictMemory:
    """The in-process memory of one run: every translation kept in a dict, whatever its signature."""

    def __init__(self) -> None:
        self.entries: dict[MemoryKey, MemoryEntry] = {}
        self.hits = 0

    def lookup(self, key: MemoryKey, signature: str) -> MemoryEntry | None:
        entry = self.entries.get(key)
        self.hits += entry is not None
        return entry

    def store(self, entries: Sequence[MemoryEntry]) -> None:
        for entry in entries:
            current = self.entries.get(entry.key)
            if current is None or entry.approved or not current.approved:
                self.entries[entry.key] = entry


class RecordingMemory:
    """Wraps a memory and remembers which keys it answered (export marks those units as TM matches)."""

    def __init__(self, inner: TranslationMemory) -> None:
        self.inner = inner
        self.found: dict[MemoryKey, MemoryEntry] = {}

    def lookup(self, key: MemoryKey, signature: str) -> MemoryEntry | None:
        entry = self.inner.lookup(key, signature)
        if entry is not None:
            self.found[key] = entry
        return entry

    def store(self, entries: Sequence[MemoryEntry]) -> None:
        self.inner.store(entries)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def placeholder(index: int) -> str:
    return code_char(index)


@dataclass
class NormalisedSegment:
    """A segment's source in memory form, and how to go back to its own code characters."""

    source: str
    chars: list[str]  # the segment's code characters, placeholder order
    code_data: list[dict]
    quantities: dict[str, str]  # code char -> Indonesian text it replaced (written back in the key)

    def signature(self) -> str:
        return " ".join(_kind_token(d) for d in self.code_data)

    def key(self, source_lang: str, target_lang: str) -> MemoryKey:
        return MemoryKey(source_lang, target_lang, self.source, self.signature())


def _kind_token(data: dict) -> str:
    pair = data.get("pair")
    return data["kind"][0] + ("" if pair is None else str(pair))


def normalise(
    source: str, codes: Mapping[str, InlineCode], written: Mapping[str, str] | None = None
) -> NormalisedSegment:
    """``source`` (coded) in memory form; ``written`` maps quantity code chars to their Indonesian text."""
    written = written or {}
    parts: list[str] = []
    chars: list[str] = []
    for char in source:
        if char in written:
            parts.append(written[char])
        elif is_code_char(char):
            parts.append(placeholder(len(chars)))
            chars.append(char)
        else:
            parts.append(char)
    data = []
    for char in chars:
        info = codes.get(char) or InlineCode(char, CodeKind.ISOLATED, char, None, "literal")
        pair = chars.index(info.pair) if info.pair in chars else None
        data.append({"kind": info.kind.value, "pair": pair, "name": info.name, "data": info.data})
    quantities = {c: t for c, t in written.items() if c in source}
    return NormalisedSegment("".join(parts), chars, data, quantities)


def normalise_segment(
    segment: Segment, block: Block, written: Mapping[str, str] | None = None
) -> NormalisedSegment:
    return normalise(segment.source, block.codes, written)


def to_memory(target: str, norm: NormalisedSegment, codes: Mapping[str, InlineCode]) -> str | None:
    """A coded target in memory form: placeholders, quantities as their rendering.

    None when the target does not hold each of the source's codes exactly once (and no other):
    reused, it would lose or repeat markup.
    """
    index = {c: i for i, c in enumerate(norm.chars)}
    if sorted(c for c in target if c in index) != sorted(norm.chars):
        return None
    parts: list[str] = []
    for char in target:
        if char in index:
            parts.append(placeholder(index[char]))
        elif char in norm.quantities and char in codes:
            parts.append(codes[char].data)
        elif is_code_char(char):
            return None
        else:
            parts.append(char)
    return "".join(parts)


def from_memory(stored: str, norm: NormalisedSegment, codes: Mapping[str, InlineCode]) -> tuple[str, bool]:
    """The stored target with this segment's code characters; and whether every quantity got its code back.

    A quantity's code comes back where its English rendering is written exactly as
    often as the segment has quantities rendered that way (left as text otherwise).
    """
    count = len(norm.chars)
    text = "".join(
        norm.chars[code_index(c)] if is_code_char(c) and code_index(c) < count else c
        for c in stored
    )
    complete = True
    by_rendering: dict[str, list[str]] = {}
    for char in norm.quantities:
        by_rendering.setdefault(codes[char].data, []).append(char)
    for rendering, chars in sorted(by_rendering.items(), key=lambda item: -len(item[0])):
        if text.count(rendering) != len(chars):
            complete = False
            continue
        for char in chars:  # in source order: the n-th rendering is the n-th quantity
            text = text.replace(rendering, char, 1)
    return text, complete


def code_table(code_data: Sequence[dict]) -> dict[str, InlineCode]:
    """Placeholder char -> inline code, from an entry's ``code_data``."""
    table: dict[str, InlineCode] = {}
    for i, data in enumerate(code_data):
        pair = data.get("pair")
        table[placeholder(i)] = InlineCode(
            placeholder(i),
            CodeKind(data["kind"]),
            data.get("data", ""),
            None if pair is None else placeholder(pair),
            data.get("name", ""),
        )
    return table


def written_texts(protections: Iterable) -> dict[str, dict[str, str]]:
    """segment id -> {quantity code char: the Indonesian text it replaced}, from ``protect_document``."""
    texts: dict[str, dict[str, str]] = {}
    for protection in protections:
        texts.setdefault(protection.segment, {})[protection.char] = protection.source_text
    return texts


def target_lang(locale: str | None) -> str:
    """The memory's target language: the locale as BCP 47 (``en-US``); ``en`` when numbers are not localized.

    Quantities are stored rendered for that locale.  Another currency style renders them
    differently: a machine translation whose renderings are not all found again is not
    reused (:func:`from_memory` says so); a person's translation always is.
    """
    return locale.replace("_", "-") if locale else "en"


__all__ = [
    "DictMemory",
    "MemoryEntry",
    "MemoryKey",
    "NormalisedSegment",
    "RecordingMemory",
    "TranslationMemory",
    "from_memory",
    "normalise",
    "target_lang",
    "to_memory",
    "written_texts",
]
