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

from .errors import InputError

#: Code characters are taken from the Unicode private-use areas, the BMP's first (6,400
#: characters), then planes 15 and 16 (65,534 each): a paragraph of thousands of figures,
#: each a protected quantity, needs more than the BMP holds.  U+xFFFE and U+xFFFF are
#: noncharacters, so each supplementary range stops at U+xFFFD.
CODE_RANGES: tuple[tuple[int, int], ...] = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
#: How many code characters one block can hold.
CODE_CAPACITY = sum(last - first + 1 for first, last in CODE_RANGES)
#: The code characters as the inside of a regular-expression character class.
CODE_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in CODE_RANGES)
CODE_CHARS = re.compile(f"[{CODE_CLASS}]")


def is_code_char(char: str) -> bool:
    number = ord(char)
    return 0xE000 <= number <= 0xF8FF or (number >= 0xF0000 and number & 0xFFFF <= 0xFFFD)


def code_char(number: int) -> str:
    """The ``number``-th code character (0-based), in the order :class:`CodeAllocator` hands them out."""
    for first, last in CODE_RANGES:
        if number <= last - first:
            return chr(first + number)
        number -= last - first + 1
    raise IndexError("no code character left")


def code_index(char: str) -> int:
    """The position of a code character in :func:`code_char`'s order (its inverse)."""
    number = ord(char)
    offset = 0
    for first, last in CODE_RANGES:
        if first <= number <= last:
            return offset + number - first
        offset += last - first + 1
    raise ValueError(f"{char!r} is not a code character")


#: ``InlineCode.name`` of the isolated codes that end a line, which the segmenter reads as
#: whitespace ("satu.<br>Dua" is two sentences with the break between them).
SOFT_LINE_BREAK = "linebreak"  # Markdown: a line break inside a block quote or list item ("\n> ")
HARD_LINE_BREAK = "hardbreak"  # Markdown: two spaces or a backslash before the line end
ELEMENT_LINE_BREAK = "br"  # HTML <br>, DOCX <w:br/>: those readers name a code after its element
LINE_BREAK_CODES = frozenset({SOFT_LINE_BREAK, HARD_LINE_BREAK, ELEMENT_LINE_BREAK})
#: ``InlineCode.name`` of a private-use character found in the input, kept as a code of its own.
LITERAL = "literal"


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
    index: int  # type: ignore[assignment]  # the segment's place in its block (shadows tuple.index)

    def __str__(self) -> str:
        return f"{self.document}#{self.block}.{self.index}"


@dataclass
class Segment:
    id: SegmentId
    source: str  # coded text
    target: str | None = None  # coded text, same codes as the source
    state: SegmentState = SegmentState.NEW
    #: The engine's average log-probability per target token for this target
    #: (:attr:`translate.engines.base.Translation.score`); None when no model wrote
    #: it (copied, copy/pseudo engines, a translation memory match, a target set by hand).
    score: float | None = None
    #: The engine stopped at its length limit (``--max-length``) before ending the sentence.
    truncated: bool = False


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
    #: The locale the target is written for (``en_GB``), set by localization; writers
    #: that name it (HTML ``og:locale``) fall back to their default without it.
    target_locale: str | None = None
    encoding: str | None = None  # the input's encoding when not UTF-8 (HTML): written back in it
    front_matter: str | None = None  # the kind of front matter the input starts with (Markdown: "yaml")
    #: Where the reader left text in the source language (it could not be coded safely):
    #: "line 3" or "word/document.xml paragraph 4", for the run's warning.
    untranslated: list[str] = field(default_factory=list)
    #: What the run should tell the user about this document (quantities left unprotected...).
    warnings: list[str] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [p for p in self.parts if isinstance(p, Block)]

    def segments(self) -> Iterator[Segment]:
        for block in self.blocks:
            yield from block.segments

    def render(self, target: bool = True) -> str:
        """The document's text: translated blocks, or the source when ``target`` is False."""
        return "".join(p if isinstance(p, str) else p.render(target) for p in self.parts)


class CodeSpaceError(InputError, ValueError):
    """A block needs more code characters than :data:`CODE_CAPACITY`.

    A ValueError too, so a reader that leaves such a paragraph as it is (DOCX)
    catches it; elsewhere it is the file's clean input error.
    """


class CodeAllocator:
    """Hands out code characters for one block and records what they stand for: the only place they are made.

    Readers call :meth:`text` for plain text (a literal private-use character in
    the input becomes an isolated code of its own, so nothing is ever lost) and
    :meth:`code` for markup.  Given a block's existing ``codes``, it adds to them
    (localization protects quantities in an already coded block).
    """

    def __init__(self, codes: dict[str, InlineCode] | None = None) -> None:
        self.codes: dict[str, InlineCode] = {} if codes is None else codes
        self._next = 0  # index of the next code character to try

    def available(self) -> bool:
        """Whether :meth:`code` can hand out one more character."""
        while self._next < CODE_CAPACITY and code_char(self._next) in self.codes:
            self._next += 1
        return self._next < CODE_CAPACITY

    def _next_char(self) -> str:
        if not self.available():
            raise CodeSpaceError(
                f"more than {CODE_CAPACITY:,} inline codes, private-use characters and quantities "
                "in one block",
                hint="split the paragraph")
        char = code_char(self._next)
        self._next += 1
        return char

    def code(self, kind: CodeKind, data: str, name: str = "", pair: str | None = None) -> str:
        char = self._next_char()
        self.codes[char] = InlineCode(char=char, kind=kind, data=data, pair=pair, name=name)
        if pair is not None:
            opener = self.codes[pair]
            self.codes[pair] = InlineCode(opener.char, opener.kind, opener.data, char, opener.name)
        return char

    def text(self, text: str) -> str:
        return CODE_CHARS.sub(lambda m: self.code(CodeKind.ISOLATED, m.group(), LITERAL), text)


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
