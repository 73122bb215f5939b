"""HTML pages read into the core model and written back by splicing into the original text.

The page is tokenized with exact offsets (:mod:`.html_lexer`); the tokens are
only used to *locate* text.  Everything that is not translated stays the
original text byte for byte: doctype, comments, conditional comments,
attribute order and quoting, entities, whitespace.

Blocks.  Text is gathered into runs between *boundaries*: the start or end tag
of any element that is not inline (``p``, ``h1``, ``li``, ``td``, ``div``,
``title``, ``option``, ``button``, ...; unknown elements count as boundaries
too).  A run with visible text (a letter or digit) becomes a block, so bare
text in a ``<div>`` is translated as well; its kind is named after the
innermost open element (``paragraph``, ``heading``, ``list_item``...).  Inside
a block, inline elements (``a``, ``b``, ``span``, ``time``...) are OPEN/CLOSE
code pairs, ``br``/``img``/``wbr`` and comments are ISOLATED codes, and an
unclosed ``<b>`` or a stray ``</i>`` is an ISOLATED code, so pairs always nest.

Left alone.  ``script``, ``style``, ``code``, ``pre``, ``kbd``, ``samp``,
``var``, ``svg``, ``math``, ``template``, ``noscript``, ``textarea``,
``iframe``, ``object`` and any element with ``translate="no"`` or class
``notranslate`` are skipped whole (JSON-LD included); inside a sentence such an
element is one ISOLATED code.  An element of this kind that is never closed
ends where a browser ends it (:mod:`.html_tree`): at the end tag of an element
around it (``<div><pre>...</div>``), at a tag that closes it, or at the end of
the file; all of it stays untouched.

Attributes.  ``alt``, ``title``, ``placeholder``, ``aria-label``, a button's
``value``, an option's ``label`` and the ``content`` of ``<meta>`` description,
og:/twitter: title and description are blocks of kind ``attribute`` sitting at
the value's exact offsets; a tag inside a sentence keeps its attribute blocks
*embedded* (its owner writes them into the tag, see :class:`HtmlBlock`).

Language.  ``lang``/``xml:lang`` on ``<html>`` (inserted when missing),
``og:locale`` and ``content-language`` switch to English only when some
segment's target differs from its source: the ``copy`` engine stays
byte-identical, any real translation is labelled English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import unescape

from ..document import Block, CodeAllocator, CodeKind, Document, Segment, SegmentId
from .html_charset import decode_html, encode_html
from .html_lexer import Attribute, Token, TokenKind, lex
from .html_text import Decoded, HtmlBlock, decode
from .html_tree import VOID

#: Elements that sit inside a sentence: their tags become paired codes.
INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite data del dfn em font i ins mark nobr q rp rt ruby s small span "
    "strike strong sub sup time tt u".split()
)
#: Void elements that sit inside a sentence: isolated codes.
VOID_INLINE = frozenset({"br", "img", "wbr"})
#: Elements whose content is never translated.
SKIP = frozenset(
    "script style code pre kbd samp var svg math template noscript textarea iframe object "
    "xmp plaintext noembed noframes".split()
)
#: Skipped elements that may stand inside a sentence (an isolated code there).
SKIP_IN_TEXT = frozenset("script style code kbd samp var svg math noscript iframe object".split())
#: ``<meta name|property=KEY content=...>`` whose content readers see (search results, link cards).
META_CONTENT = frozenset(
    "description og:title og:description og:image:alt twitter:title twitter:description "
    "twitter:image:alt".split()
)
#: Block kinds named after the innermost open element; others use the element's name.
KINDS = {
    "p": "paragraph",
    **{f"h{n}": "heading" for n in range(1, 7)},
    "li": "list_item",
    "td": "table_cell",
    "th": "table_cell",
    "caption": "caption",
    "figcaption": "caption",
}
TARGET_LANG = "en"
_BUTTON_TYPES = ("button", "submit", "reset")
#: Elements whose tags never end a run of text.
_IN_TEXT = INLINE | VOID_INLINE | SKIP_IN_TEXT


#: ``og:locale`` of a translated page when the run has no locale with a territory.
DEFAULT_OG_LOCALE = "en_US"


def _og_locale(tag: str) -> str:
    """``en_GB`` as it is; a locale without a territory (``en``) as the default, which has one."""
    return tag if "_" in tag else DEFAULT_OG_LOCALE


class _Switch(str):
    """Skeleton text a translated document writes differently (``lang="id"`` → ``en``).

    ``{locale}`` in ``translated`` stands for the target locale (``en_US`` unless
    the pipeline set ``document.target_locale``, e.g. ``en_GB``).
    """

    translated: str

    def __new__(cls, original: str, translated: str) -> _Switch:
        switch = super().__new__(cls, original)
        switch.translated = translated
        return switch

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # picklable: for worker processes
        return str(self), self.translated


@dataclass
class _Item:
    """Tokens ``first..last`` of a run: one token, or a whole skipped element (``atom``)."""

    first: int
    last: int
    atom: bool = False


@dataclass
class _Region:
    """Source ``start:end`` is replaced by ``part``; ``embedded`` blocks follow it."""

    start: int
    end: int
    part: str | Block
    embedded: list[HtmlBlock] = field(default_factory=list)


def translatable_attributes(token: Token) -> list[Attribute]:
    """The attributes of a start tag whose values readers see."""
    name = token.name
    found: list[Attribute] = []
    for attr in token.attributes:
        if attr.value is None or not any(c.isalpha() for c in unescape(attr.value)):
            continue
        if (
            attr.name in ("alt", "placeholder", "aria-label")
            or (attr.name == "title" and name not in ("link", "style", "meta"))
            or (attr.name == "value" and name == "input" and _lower(token, "type") in _BUTTON_TYPES)
            or (attr.name == "label" and name in ("option", "optgroup", "track"))
            or (attr.name == "content" and name == "meta" and _meta_key(token) in META_CONTENT)
        ):
            found.append(attr)
    return found


def _lower(token: Token, name: str) -> str:
    attr = token.attribute(name)
    return unescape(attr.value).strip().lower() if attr is not None and attr.value else ""


def _meta_key(token: Token) -> str:
    return _lower(token, "name") or _lower(token, "property")


def no_translate(token: Token) -> bool:
    """``translate="no"`` or class ``notranslate`` (Google's and the HTML standard's markers)."""
    return _lower(token, "translate") == "no" or "notranslate" in _lower(token, "class").split()


def _finish(block: HtmlBlock, coded: str, document: str) -> HtmlBlock:
    """Leading and trailing whitespace go into the gaps; the rest is one segment (split later)."""
    block.original = coded
    stripped = coded.strip()
    if not stripped:
        block.gaps = [coded]
        return block
    start = coded.index(stripped)
    block.gaps = [coded[:start], coded[start + len(stripped) :]]
    block.segments = [Segment(SegmentId(document, block.index, 0), stripped)]
    return block


class _Reader:
    """Walks the tokens once, collecting the regions of the skeleton that become parts."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        lexed = lex(text, protects=self._protects)
        self.tokens = lexed.tokens
        self.last = lexed.last  # where each element ends, as a browser ends it
        self.protected = lexed.protected  # text a browser shows in a reopened skipped element
        self.no_text_after = lexed.no_text_after  # a translation puts no text after these tokens
        self.no_text_before = lexed.no_text_before  # nor before these
        self.regions: list[_Region] = []
        self.failed: list[int] = []  # source offsets of runs that had to stay skeleton

    # -- the walk ------------------------------------------------------------------

    def read(self) -> list[_Region]:
        run: list[_Item] = []
        stack: list[str] = []  # open elements that are not inline
        index = 0
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.kind is TokenKind.START:
                last = self._skipped_until(index)
                if last is not None:
                    if run and token.name in _IN_TEXT:
                        run.append(_Item(index, last, atom=True))
                    else:
                        run = self._flush(run, stack)
                    index = last + 1
                    continue
                if token.name in INLINE or token.name in VOID_INLINE:
                    run.append(_Item(index, index))
                else:
                    run = self._flush(run, stack)
                    self._skeleton_tag(token)
                    if token.name not in VOID:
                        stack.append(token.name)
            elif token.kind is TokenKind.END:
                if token.name in _IN_TEXT:
                    if run:
                        run.append(_Item(index, index))
                else:
                    run = self._flush(run, stack)
                    if token.name in stack:
                        del stack[len(stack) - 1 - stack[::-1].index(token.name) :]
            elif token.kind is TokenKind.TEXT and not token.raw and index not in self.protected:
                run.append(_Item(index, index))
            elif token.kind is TokenKind.TEXT and not token.raw:
                if run:
                    run.append(_Item(index, index, atom=True))
            elif run:  # comments, declarations and bogus markup inside a sentence
                run.append(_Item(index, index))
            index += 1
        self._flush(run, stack)
        return sorted(self.regions, key=lambda r: (r.start, r.end))

    @staticmethod
    def _protects(token: Token) -> bool:
        return token.name in SKIP or no_translate(token)

    def _skipped_until(self, index: int) -> int | None:
        """For a skipped element's start tag, the index of its last token.

        That is its end tag, or, for an element never closed, the token before
        the one that ends it in a browser (an end tag of an element around it,
        a tag that closes it) or the end of the file.
        """
        if not self._protects(self.tokens[index]):
            return None
        return self.last.get(index, index)  # void elements and <svg/> end with their tag

    def _flush(self, run: list[_Item], stack: list[str]) -> list[_Item]:
        """Turn a finished run into a block (or skeleton); returns a new empty run."""
        if not run:
            return []
        pairs = self._pairs(run)
        paired = pairs.keys() | pairs.values()
        ends = {start: end for end, start in pairs.items()}
        first, last = 0, len(run)
        while first < last:  # a paired tag left at one edge unpairs its partner, which may be at the other
            head, tail = run[first].first, run[last - 1].first
            if self._trimmable(run[first], paired) or head in self.no_text_before:
                if head in ends:
                    del pairs[ends[head]]
                    paired -= {head, ends.pop(head)}
                first += 1
            elif self._trimmable(run[last - 1], paired) or (
                    run[last - 1].last in self.no_text_after and self.tokens[tail].kind is not TokenKind.TEXT
            ):
                if tail in pairs:
                    paired -= {tail, pairs[tail]}
                    del ends[pairs.pop(tail)]
                last -= 1
            else:
                break
        inner = run[first:last]
        visible = any(
            self.tokens[i.first].kind is TokenKind.TEXT and any(c.isalnum() for c in unescape(self._src(i)))
            for i in inner
        )
        kind = KINDS.get(stack[-1], stack[-1]) if stack else "text"
        block = self._block(inner, kind, pairs) if visible else None
        for item in run if block is None else run[:first] + run[last:]:
            token = self.tokens[item.first]
            if token.kind is TokenKind.START and not item.atom:
                self._skeleton_tag(token)
        return []

    def _pairs(self, run: list[_Item]) -> dict[int, int]:
        """End tag token index -> its start tag's, for the inline elements of a run that nest.

        A stray end tag, and a start tag never closed or closed only by the end
        of an element around it, stay unpaired (isolated codes).
        """
        opened: list[int] = []  # token indices of the open start tags
        depths: dict[str, list[int]] = {}  # element name -> its depths in ``opened``
        pairs: dict[int, int] = {}
        for item in run:
            token = self.tokens[item.first]
            if item.atom or token.name in VOID_INLINE:
                continue
            if token.kind is TokenKind.START:
                depths.setdefault(token.name, []).append(len(opened))
                opened.append(item.first)
            elif token.kind is TokenKind.END and depths.get(token.name):
                depth = depths[token.name][-1]
                for inside in opened[depth:]:  # closed with it; those opened inside stay unpaired
                    depths[self.tokens[inside].name].pop()
                pairs[item.first] = opened[depth]
                del opened[depth:]
        return pairs

    def _trimmable(self, item: _Item, paired: set[int]) -> bool:
        """Markup without text at a run's edge stays skeleton (its attributes get blocks of their own).

        An unpaired inline tag at the edge too: text a translation puts beside
        it would land outside the element (``<b>test</font>`` + `` ~]`` puts
        the new text where a browser reopens ``<b>``, changing the tree).  The
        same holds wherever the tree model says text would make a browser
        reopen formatting elements (after ``</i>`` in ``<i><a>x</i>``), and
        before an ``<a>`` that closes an ``<a>`` left open: such tags stay out
        of the block, and their partners then stand alone.
        """
        token = self.tokens[item.first]
        if item.atom or token.kind in (TokenKind.COMMENT, TokenKind.DECLARATION, TokenKind.BOGUS,
                                       TokenKind.CDATA):
            return True
        if token.kind is TokenKind.TEXT:
            return not self._src(item).strip(" \t\n\r\f")
        return token.name in VOID_INLINE or item.first not in paired

    def _src(self, item: _Item) -> str:
        return self.text[self.tokens[item.first].start : self.tokens[item.last].end]

    # -- blocks --------------------------------------------------------------------

    def _block(self, items: list[_Item], kind: str, pairs: dict[int, int]) -> HtmlBlock | None:
        start, end = self.tokens[items[0].first].start, self.tokens[items[-1].last].end
        raw = self.text[start:end]
        alloc = CodeAllocator()
        out = Decoded()
        opened = set(pairs.values())
        chars: dict[int, str] = {}  # start tag token index -> its OPEN code
        attributes: dict[str, list[tuple[int, int, HtmlBlock]]] = {}
        try:
            for item in items:
                token = self.tokens[item.first]
                offset = token.start - start
                if token.kind is TokenKind.TEXT and not item.atom:
                    decode(self.text[token.start : token.end], alloc, out, offset)
                    continue
                char = self._code(item, alloc, pairs, opened, chars)
                out.add(char, offset)
                if token.kind is TokenKind.START and not item.atom:
                    for attr in translatable_attributes(token):
                        value = self._attribute(attr, token.start, embedded=True)
                        if value is not None:
                            where = (attr.start - token.start, attr.end - token.start, value)
                            attributes.setdefault(char, []).append(where)
        except ValueError:  # more codes than the private use area holds
            self.failed.append(start)
            return None
        block = HtmlBlock(0, kind, alloc.codes, raw=raw, omap=out.offsets + [len(raw)])
        block.attributes = attributes
        _finish(block, "".join(out.chars), self.name)
        if block.value(target=False) != raw:  # a bug here, never in the input: keep the run as it is
            self.failed.append(start)
            return None
        embedded = [b for values in block.attributes.values() for _, _, b in values]
        self.regions.append(_Region(start, end, block, embedded))
        return block

    def _code(self, item: _Item, alloc: CodeAllocator, pairs: dict[int, int], opened: set[int],
              chars: dict[int, str]) -> str:
        token = self.tokens[item.first]
        data = self._src(item)
        if item.atom:
            return alloc.code(CodeKind.ISOLATED, data, token.name)
        if token.kind is TokenKind.START and item.first in opened:
            chars[item.first] = alloc.code(CodeKind.OPEN, data, token.name)
            return chars[item.first]
        if token.kind is TokenKind.END and item.first in pairs:
            return alloc.code(CodeKind.CLOSE, data, token.name, pair=chars[pairs[item.first]])
        # void, unclosed, stray, comments...
        return alloc.code(CodeKind.ISOLATED, data, token.name or token.kind.value)

    def _attribute(self, attr: Attribute, base: int, embedded: bool = False) -> HtmlBlock | None:
        """A block for an attribute value; offsets relative to ``base`` for an embedded one."""
        value = attr.value or ""
        alloc = CodeAllocator()
        out = Decoded()
        try:
            decode(value, alloc, out, 0, attribute=True)
        except ValueError:
            return None
        block = HtmlBlock(0, "attribute", alloc.codes, raw=value, omap=out.offsets + [len(value)])
        block.quote, block.embedded = attr.quote, embedded
        _finish(block, "".join(out.chars), self.name)
        if block.value(target=False) != value:
            return None
        if embedded:
            return block  # the caller records where it goes
        self.regions.append(_Region(attr.start, attr.end, block))
        return block

    def _skeleton_tag(self, token: Token) -> None:
        """A start tag in the skeleton: attribute blocks and the language switches."""
        for attr in translatable_attributes(token):
            self._attribute(attr, token.start)
        if token.name == "html":
            langs = [a for a in token.attributes if a.name in ("lang", "xml:lang") and a.value is not None]
            for attr in langs:
                self._switch(attr, TARGET_LANG)
            if not langs:
                at = token.start + 1 + len(token.name)
                self.regions.append(_Region(at, at, _Switch("", f' lang="{TARGET_LANG}"')))
        elif token.name == "meta":
            content = token.attribute("content")
            if content is not None and content.value is not None:
                if _lower(token, "property") == "og:locale":
                    self._switch(content, "{locale}")
                elif _lower(token, "http-equiv") == "content-language":
                    self._switch(content, TARGET_LANG)

    def _switch(self, attr: Attribute, value: str) -> None:
        written = value if attr.quote else f'"{value}"'
        self.regions.append(_Region(attr.start, attr.end, _Switch(attr.value or "", written)))


def _assemble(text: str, regions: list[_Region]) -> list[str | Block]:
    parts: list[str | Block] = []
    last = 0
    for region in regions:
        if region.start < last:  # never expected: regions come from disjoint tokens
            continue
        if region.start > last:
            parts.append(text[last : region.start])
        parts.append(region.part)
        parts.extend(region.embedded)
        last = region.end
    if last < len(text):
        parts.append(text[last:])
    index = 0
    for part in parts:
        if isinstance(part, Block):
            part.index = index
            for number, segment in enumerate(part.segments):
                segment.id = SegmentId(segment.id.document, index, number)
            index += 1
    return parts


def is_translated(document: Document) -> bool:
    """Whether any segment's target differs from its source (the copy engine's never do)."""
    return any(s.target is not None and s.target != s.source for s in document.segments())


class HtmlFormat:
    """Reads and writes HTML, splicing translations into the original text."""

    name = "html"

    def read(self, data: bytes, name: str) -> Document:
        text, bom, codec = decode_html(data, name)
        reader = _Reader(text, name)
        document = Document(name=name, format=self.name, bom=bom)
        if codec:
            document.encoding = codec
        document.parts = _assemble(text, reader.read())
        if reader.failed:  # never silent: say where the text stays in the source language
            lines = sorted({text.count("\n", 0, offset) + 1 for offset in reader.failed})
            document.untranslated = [f"line {line}" for line in lines]
        if document.render(target=False) != text:
            raise RuntimeError(f"internal error: html reader changed {name}")
        return document

    def write(self, document: Document) -> bytes:
        translated = is_translated(document)
        locale = _og_locale(document.target_locale or DEFAULT_OG_LOCALE)
        out: list[str] = []
        for part in document.parts:
            if isinstance(part, _Switch):
                out.append(part.translated.replace("{locale}", locale) if translated else str(part))
            elif isinstance(part, str):
                out.append(part)
            else:
                out.append(part.render(target=True))
        return encode_html("".join(out), document.bom, document.encoding)
