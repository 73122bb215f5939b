"""HTML text as the translator sees it, and back: entity decoding, escaping, :class:`HtmlBlock`.

Entities.  The model must see ``—`` and a no-break space as text to translate
well, so character references are *decoded* in a block's coded text (``&amp;``
→ ``&``, ``&mdash;`` → ``—``; controls and noncharacters, written or referenced,
become isolated codes that keep their source) and runs of HTML whitespace (space, tab, CR, LF,
FF) become one space, as a browser shows them.  Byte identity is kept by an
offset map from every coded character to the original: whatever was not
translated (gaps between sentences, unchanged sentences) is copied from the
original text, entities, line breaks and indentation included.  Only a
sentence whose target differs is written from its target, escaped for HTML
(``&``, ``<``, ``>`` and the no-break space as ``&nbsp;``; in an attribute
value also the quote character), with its codes in source order
(:func:`~translate.nesting.keep_code_order`) so that the element tree keeps
its shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from html import unescape
from html.entities import html5

from ..document import Block, CodeAllocator, CodeKind, is_code_char
from ..nesting import keep_code_order

#: HTML's whitespace: what a browser collapses (the no-break space is not in it).
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_LONGEST_ENTITY = max(len(name) for name in html5)


@dataclass
class Decoded:
    """Coded text with the source offset (relative to the decoded run) of each character."""

    chars: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def add(self, text: str, offset: int) -> None:
        for char in text:
            self.chars.append(char)
            self.offsets.append(offset)


def _reference_length(match: re.Match[str], attribute: bool, text: str) -> int:
    """How many characters of ``match`` form a character reference (0: the ``&`` is literal)."""
    ref = match.group()
    if ref.startswith("&#"):
        return len(ref)
    name = ref[1:]
    if name.endswith(";") and name in html5:
        return len(ref)
    # A legacy reference without ";" (``&copy``, ``&ampx``): the longest known prefix.
    for length in range(min(len(name), _LONGEST_ENTITY), 0, -1):
        if name[:length] in html5 and not name[:length].endswith(";"):
            after = match.start() + 1 + length
            if attribute and after < len(text) and (text[after].isalnum() or text[after] == "="):
                return 0  # in attribute values "&copy=1" stays literal (WHATWG)
            return length + 1
    return 0


def decode(text: str, alloc: CodeAllocator, out: Decoded, base: int, attribute: bool = False) -> None:
    """Append the coded form of an HTML text run ``text`` (at ``base``) to ``out``.

    Character references are decoded; in element text (not ``attribute``)
    whitespace runs become one space.  Private-use characters, literal or from a
    reference, become isolated codes holding their source, so nothing is lost.
    """
    pos = 0
    for match in _REFERENCE.finditer(text):
        if match.start() < pos:
            continue
        length = _reference_length(match, attribute, text)
        if not length:
            continue
        _plain(text[pos : match.start()], alloc, out, base + pos, attribute)
        source = text[match.start() : match.start() + length]
        value = reference_value(source)
        if any(hidden(c) for c in value):
            out.add(alloc.code(CodeKind.ISOLATED, source, "literal"), base + match.start())
        else:
            out.add(value, base + match.start())
        pos = match.start() + length
    _plain(text[pos:], alloc, out, base + pos, attribute)


def _plain(text: str, alloc: CodeAllocator, out: Decoded, base: int, attribute: bool) -> None:
    pos = 0
    if not attribute:
        for match in HTML_SPACE.finditer(text):
            _chars(text[pos : match.start()], alloc, out, base + pos)
            out.add(" ", base + match.start())  # the one space stands for the whole run
            pos = match.end()
    _chars(text[pos:], alloc, out, base + pos)


def _chars(text: str, alloc: CodeAllocator, out: Decoded, base: int) -> None:
    for offset, char in enumerate(text):
        out.add(alloc.code(CodeKind.ISOLATED, char, "literal") if hidden(char) else char, base + offset)


def hidden(char: str) -> bool:
    """A character the model must not see but the page must keep: private use, a control, a noncharacter."""
    code = ord(char)
    return (is_code_char(char) or (code < 0x20 and char not in " \t\n\r\f") or 0x7F <= code <= 0x9F
            or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE)


def reference_value(reference: str) -> str:
    """The text a character reference stands for, as a browser reads it (WHATWG 13.2.5.80).

    Python's ``html.unescape`` drops references to controls and noncharacters
    (``&#x1;``, ``&#xFFFE;``); a browser keeps the character, and so do we.
    """
    if not reference.startswith("&#"):
        return unescape(reference)
    digits = reference[2:].rstrip(";")
    number = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= number <= 0x9F:  # the windows-1252 character, where it has one
        try:
            return bytes([number]).decode("cp1252")
        except UnicodeDecodeError:
            pass
    return chr(number)


def escape(text: str, quote: str | None) -> str:
    """``text`` written as HTML element text (``quote`` None) or as a value quoted by ``quote``."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")
    if quote == "'":
        return text.replace("'", "&#39;")
    if quote is not None:
        return text.replace('"', "&quot;")
    return text


@dataclass
class HtmlBlock(Block):
    """A block that keeps its original HTML and renders untranslated parts from it.

    ``original`` is the coded source as read and ``omap[i]`` the offset in
    ``raw`` of its character ``i`` (``omap[len(original)] == len(raw)``); code
    characters map to their tag.  ``quote`` is None for element text, or the
    quote of an attribute value (``""`` unquoted: a translated value gets double
    quotes, since it may hold spaces).  An ``embedded`` block is an attribute of
    a tag inside another block (``<a title=...>`` in a paragraph): it is a
    separate block for the engine, but its owner writes it, into the tag,
    through ``attributes``.

    Later steps may rewrite a segment's source (the localizer replaces ``2.000``
    by a code holding ``2,000``): such a segment is found in ``original`` by
    matching each new code against any text, and is written from its text.
    Codes added after reading hold text, not markup, so they are escaped.
    """

    raw: str = ""
    original: str = ""
    omap: list[int] = field(default_factory=list)
    quote: str | None = None
    embedded: bool = False
    #: code char -> (start, end, block) attribute values inside that code's tag
    attributes: dict[str, list[tuple[int, int, HtmlBlock]]] = field(default_factory=dict)

    def render(self, target: bool = True) -> str:
        return "" if self.embedded else self.value(target)

    def changed(self) -> bool:
        return any(s.target is not None and s.target != s.source for s in self.segments)

    def value(self, target: bool = True) -> str:
        """The block's HTML: the original where nothing changed, escaped text elsewhere."""
        parts: list[str] = []
        pos: int | None = 0  # where we are in ``original``; None once lost
        for number, gap in enumerate(self.gaps):
            if pos is not None and self.original.startswith(gap, pos):
                parts.append(self._original(pos, pos + len(gap), target))
                pos += len(gap)
            else:
                parts.append(self._encode(gap, target))
                pos = None
            if number == len(self.segments):
                break
            segment = self.segments[number]
            end = self._locate(segment.source, pos, self.gaps[number + 1]) if pos is not None else None
            text = segment.target if target and segment.target is not None else segment.source
            kept = (pos, end) if pos is not None and end is not None else None  # the source's place, if found
            if text == segment.source and kept is not None and self.original[kept[0] : kept[1]] == text:
                parts.append(self._original(kept[0], kept[1], target))
            else:
                parts.append(self._encode(keep_code_order(text, segment.source), target))
            pos = end
        html = "".join(parts)
        if target and self.quote == "" and self.changed():
            return f'"{html}"'
        return html

    def _locate(self, source: str, pos: int, gap: str) -> int | None:
        """Where the segment ``source``, starting at ``pos`` of ``original``, ends there."""
        if self.original.startswith(source, pos) and self.original.startswith(gap, pos + len(source)):
            return pos + len(source)
        pattern = "".join(
            "(?:.+?)" if is_code_char(c) and c not in self.original else re.escape(c) for c in source
        )
        match = re.compile(f"{pattern}(?={re.escape(gap)})", re.DOTALL).match(self.original, pos)
        return match.end() if match else None

    def _original(self, start: int, end: int, target: bool) -> str:
        """Original characters ``start:end`` as they were written (codes with their attributes)."""
        parts: list[str] = []
        run = start
        for i in range(start, end):
            if is_code_char(self.original[i]):
                parts.append(self.raw[self.omap[run] : self.omap[i]])
                parts.append(self.code_html(self.original[i], target))
                run = i + 1
        parts.append(self.raw[self.omap[run] : self.omap[end]])
        return "".join(parts)

    def _encode(self, coded: str, target: bool) -> str:
        quote = '"' if self.quote == "" else self.quote
        parts: list[str] = []
        run = 0
        for i, char in enumerate(coded):
            if is_code_char(char):
                parts.append(escape(coded[run:i], quote))
                parts.append(self.code_html(char, target))
                run = i + 1
        parts.append(escape(coded[run:], quote))
        return "".join(parts)

    @cached_property
    def codes_read(self) -> frozenset[str]:
        """The code characters of ``original``: a set, as searching the string per code was quadratic."""
        return frozenset(c for c in self.original if is_code_char(c))

    def code_html(self, char: str, target: bool) -> str:
        """A code's markup, with its translatable attribute values as translated."""
        data = self.codes[char].data
        if char not in self.codes_read:  # added by a later step (a localized number): text
            return escape(data, '"' if self.quote == "" else self.quote)
        for start, end, block in sorted(self.attributes.get(char, []), key=lambda x: -x[0]):
            data = data[:start] + block.value(target) + data[end:]
        return data
