"""The one core model every format reader produces and every writer consumes.

A :class:`Document` is a *skeleton* (the original text that is not translated)
interleaved with translatable :class:`Block` s.  A block's text is *coded text*:
inline markup (a Markdown ``**``, a link's ``](url)``, an HTML ``<b>``) is replaced
by one private-use character per :class:`InlineCode` (Okapi's "coded text"), so
the segmenter, the glossary matcher and the engines never see or break markup.
A block is split into :class:`Segment` s (sentences) separated by *gaps* (the
whitespace, and any codes, between them), so::

    block.render() == gaps[0] + seg[0] + gaps[1] + seg[1] + ... + gaps[-1]

with every code character expanded back to its markup.  Rendering the sources
of an unchanged document reproduces the input byte for byte.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

#: Code characters are taken from the Unicode private use area.
CODE_FIRST = 0xE000
CODE_LAST = 0xF8FF
CODE_CHARS = re.compile("[\ue000-\uf8ff]")


def is_code_char(char: str) -> bool:
    return CODE_FIRST <= ord(char) <= CODE_LAST


class CodeKind(str, enum.Enum):
    """How a code relates to the text around it (XLIFF's bpt/ept/ph)."""

    OPEN = "open"  # starts a span: ``**``, ``[``, ``<a href=...>``
    CLOSE = "close"  # ends the span its ``pair`` opened
    ISOLATED = "isolated"  # stands alone: inline code, image, line break, a literal PUA char


@dataclass(frozen=True)
class InlineCode:
    """One piece of inline markup, carried through translation as one character."""

    char: str
    kind: CodeKind
    data: str  # the original markup, written back verbatim
    pair: str | None = None  # the char of the matching open/close code
    name: str = ""  # what it is ("strong", "link", "code", ...), for QA and XLIFF


class SegmentState(str, enum.Enum):
    NEW = "new"  # not translated yet
    TRANSLATED = "translated"  # target produced by an engine
    COPIED = "copied"  # nothing to translate (no letters): target is the source


class SegmentId(NamedTuple):
    """Stable address of a segment: the same input always gives the same ids."""

    document: str
    block: int
    index: int

    def __str__(self) -> str:
        return f"{self.document}#{self.block}.{self.index}"


@dataclass
class Segment:
    id: SegmentId
    source: str  # coded text
    target: str | None = None  # coded text, same codes as the source
    state: SegmentState = SegmentState.NEW


@dataclass
class Block:
    """A translatable run of text: a paragraph, heading, list item, table cell..."""

    index: int
    kind: str
    codes: dict[str, InlineCode] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    gaps: list[str] = field(default_factory=lambda: [""])

    @property
    def source(self) -> str:
        """The block's coded source text, whitespace between segments included."""
        return self.join(s.source for s in self.segments)

    @property
    def target(self) -> str:
        """The block's coded target (the source where a segment is untranslated)."""
        return self.join(s.target if s.target is not None else s.source for s in self.segments)

    def join(self, texts: Iterable[str]) -> str:
        """One text per segment, with the block's gaps around and between them."""
        parts = [self.gaps[0]]
        for text, gap in zip(texts, self.gaps[1:], strict=True):
            parts.append(text)
            parts.append(gap)
        return "".join(parts)

    def expand(self, coded: str) -> str:
        """Replace every code character of ``coded`` by its markup."""
        return CODE_CHARS.sub(lambda m: self.codes[m.group()].data, coded)

    def render(self, target: bool = True) -> str:
        return self.expand(self.target if target else self.source)


@dataclass
class Document:
    """Skeleton strings interleaved with blocks, plus what a writer needs back."""

    name: str
    format: str
    parts: list[str | Block] = field(default_factory=list)
    bom: bool = False  # the input started with a UTF-8 byte order mark
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def blocks(self) -> list[Block]:
        return [p for p in self.parts if isinstance(p, Block)]

    def segments(self) -> Iterator[Segment]:
        for block in self.blocks:
            yield from block.segments

    def render(self, target: bool = True) -> str:
        """The document's text: translated blocks, or the source when ``target`` is False."""
        return "".join(p if isinstance(p, str) else p.render(target) for p in self.parts)


class CodeAllocator:
    """Hands out code characters for one block and records what they stand for.

    Readers call :meth:`text` for plain text (a literal private-use character in
    the input becomes an isolated code of its own, so nothing is ever lost) and
    :meth:`code` for markup.
    """

    def __init__(self) -> None:
        self.codes: dict[str, InlineCode] = {}

    def _next_char(self) -> str:
        number = CODE_FIRST + len(self.codes)
        if number > CODE_LAST:
            raise ValueError("more than 6400 inline codes in one block")
        return chr(number)

    def code(self, kind: CodeKind, data: str, name: str = "", pair: str | None = None) -> str:
        char = self._next_char()
        self.codes[char] = InlineCode(char=char, kind=kind, data=data, pair=pair, name=name)
        if pair is not None:
            opener = self.codes[pair]
            self.codes[pair] = InlineCode(opener.char, opener.kind, opener.data, char, opener.name)
        return char

    def text(self, text: str) -> str:
        return CODE_CHARS.sub(lambda m: self.code(CodeKind.ISOLATED, m.group(), "literal"), text)


def make_block(index: int, kind: str, coded: str, codes: dict[str, InlineCode] | None = None) -> Block:
    """A block whose text is not split yet: one segment holding all of ``coded``.

    Leading and trailing whitespace go into the gaps so that segments start and
    end on text.  :func:`translate.segment.segment_block` splits it into sentences.
    """
    stripped = coded.strip()
    if not stripped:
        return Block(index, kind, dict(codes or {}), [], [coded])
    start = coded.index(stripped)
    block = Block(index, kind, dict(codes or {}))
    block.gaps = [coded[:start], coded[start + len(stripped) :]]
    block.segments = [Segment(SegmentId("", index, 0), stripped)]
    return block


def strip_codes(coded: str) -> str:
    return CODE_CHARS.sub("", coded)
