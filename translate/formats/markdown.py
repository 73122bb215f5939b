"""Markdown (CommonMark + GFM tables and strikethrough) read into the core model, written back in place.

The file is parsed with markdown-it-py, but never re-rendered: the block tokens'
``.map`` line ranges locate each paragraph, heading and table cell in the
ORIGINAL text, everything around them stays skeleton, and translations are
spliced into the original.  So an unchanged document round-trips byte for byte
(CRLF, BOM, tabs, trailing spaces and odd Markdown included), and a changed one
keeps every character of markup that was not translated.

Locating the text.  An inline token's ``content`` is what markdown-it saw: the
block's lines without their container prefixes (``> ``, list indentation),
joined by ``\\n``.  Each content line is found at the end of its source line,
giving an offset map from content positions to source offsets (``_Located``).
Table rows are split on unescaped pipes exactly as markdown-it does, keeping
offsets, so ``\\|`` maps to its two source characters.

Locating inline markup.  Inline tokens have no positions, so the content is
walked from left to right with the token sequence as the guide (``_Walker``):
text, delimiters (``*``, ``__``, ``~~``), escapes and entities appear verbatim
in the source; where a token's extent is not in the token (code spans,
autolinks, a link's ``](url "title")``, an image's label), markdown-it's own
inline rule is re-run in silent mode at that position to learn where it ends.
Any disagreement makes that block skeleton (untranslated) instead of risking
the round trip; ``read`` finally checks that the source renders back exactly.

Codes.  Emphasis, strong and strikethrough become OPEN/CLOSE pairs; a link is
OPEN ``[`` / CLOSE ``](url)`` and an image OPEN ``![`` / CLOSE ``](src)`` so link
and alt text are translated; code spans, autolinks, inline HTML, hard breaks,
escapes, entities and bare URLs are ISOLATED codes holding their exact source.

Soft line breaks.  A soft break whose source is only whitespace (``\\n``, ``\\r\\n``,
``\\n   `` in a list item) stays plain whitespace text, which the engine may keep
or drop; one that carries a container prefix (``\\n> `` in a block quote) is one
ISOLATED code named ``linebreak``, so the prefix cannot be lost or translated.

Writing.  What the model wrote is text, not Markdown: a ``*``, ``_``, ``[`` or
``|`` it adds, or a paragraph line it starts with ``# `` or ``1. ``, would turn
into emphasis, a link, a table cell or a heading.  :func:`escape_added_syntax`
backslash-escapes those (CommonMark lets a backslash escape any ASCII
punctuation, and the escape renders as the bare character).  Only what the
model *added* is escaped: a character the source text already had as text, as
often as the target has it, is written as it was, so an identity run keeps every
byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline, autolink, backtick, image, link
from markdown_it.token import Token

from ..document import (
    HARD_LINE_BREAK,
    SOFT_LINE_BREAK,
    Block,
    CodeAllocator,
    CodeKind,
    Document,
    InlineCode,
    SegmentId,
    is_code_char,
    make_block,
    strip_codes,
)
from ..textio import decode_text, encode_text

try:  # the exact whitespace set markdown-it trims with (markdown-it-py >= 4)
    from markdown_it.common.utils import mdTrim as _md_trim
except ImportError:  # pragma: no cover - older markdown-it-py used str.strip()

    def _md_trim(text: str) -> str:
        return text.strip()


#: markdown-it normalises each of these to "\n", so line numbers agree with ours.
_LINE_END = re.compile(r"\r\n|\r|\n")
#: The source of a soft or hard line break, from where the text before it ends.
_BREAK = re.compile(r"[ ]*\\?\n[ \t]*")
#: Bare URLs in text; trailing sentence punctuation is not part of them.
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'`]+|www\.[^\s<>\"'`]+\.[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\""
#: Lines that open and close YAML front matter.
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*")
_FRONT_MATTER_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
#: Paired inline tokens: type prefix -> code name.
_PAIRED = {"em": "emphasis", "strong": "strong", "s": "strikethrough"}
#: Most container-prefix positions tried when looking for a table row's start.
_MAX_ROW_STARTS = 12


class _Misaligned(Exception):
    """The token sequence and the source disagree: the block stays skeleton."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark + GFM tables/strikethrough, with escapes and entities kept as own tokens."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.disable("text_join")  # keep text_special tokens: we need to know where escapes are
    return md


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the line's first character
    end: int  # offset of its line ending (or of the end of the text)


@dataclass
class _Located:
    """An inline token's content and where each of its characters lies in the source.

    ``omap[i]`` is the source offset of ``content[i]``; ``omap[len(content)]``
    is the end.  Characters that markdown-it dropped or rewrote (a container
    prefix, a tab it expanded, the ``\\`` of ``\\|``) make the map jump.
    """

    kind: str
    content: str
    children: list[Token]
    omap: list[int]

    @property
    def start(self) -> int:
        return self.omap[0]

    @property
    def end(self) -> int:
        return self.omap[-1]

    def source(self, body: str, start: int, end: int) -> str:
        """The source text of content positions ``start:end``."""
        return body[self.omap[start] : self.omap[end]]


@dataclass(frozen=True)
class _Piece:
    """One run of a block's content: plain text or one piece of markup."""

    start: int
    end: int
    role: str  # "text", "open", "close", "isolated", "break"
    name: str = ""


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for match in _LINE_END.finditer(text):
        lines.append(_Line(start, match.start()))
        start = match.end()
    if start < len(text):
        lines.append(_Line(start, len(text)))
    return lines


def _front_matter_end(text: str) -> int:
    """Length of a leading ``---`` YAML front matter block (0 if none): it is never Markdown."""
    lines = _split_lines(text)
    if not lines or not _FRONT_MATTER_OPEN.fullmatch(text[lines[0].start : lines[0].end]):
        return 0
    for line in lines[1:]:
        if _FRONT_MATTER_CLOSE.fullmatch(text[line.start : line.end]):
            ending = _LINE_END.match(text, line.end)
            return ending.end() if ending else line.end
    return 0


# --------------------------------------------------------------------------- locating blocks


def _locate_lines(body: str, lines: list[_Line], first: int, stop: int, content: str) -> list[int] | None:
    """Offset map for content spread over some of the source lines ``first:stop``.

    Lines that are blank only by markdown-it's wider trim set (a no-break space)
    can open or close a paragraph and vanish from its content, so the content
    may start a few lines down.
    """
    count = len(content.split("\n"))
    for lead in range(max(0, stop - first - count + 1)):
        omap = _align_lines(body, lines[first + lead : first + lead + count], content)
        if omap is not None:
            return omap
    return None


def _align_lines(body: str, lines: list[_Line], content: str) -> list[int] | None:
    """markdown-it keeps each line from after its container prefix to its end, so
    each content line (less leading blanks, which the inline parser skips) ends
    its source line; the last one is trimmed and may be followed by blanks.
    """
    parts = content.split("\n")
    omap: list[int] = []
    for number, part in enumerate(parts):
        line = lines[number]
        text = body[line.start : line.end]
        core = part.lstrip(" \t")
        last = number == len(parts) - 1
        at = text.rfind(core) if last else len(text) - len(core)
        if at < 0 or not text.startswith(core, at) or _md_trim(text[at + len(core) :]):
            return None
        base = line.start + at
        omap.extend([base] * (len(part) - len(core)))
        omap.extend(range(base, base + len(core)))
        omap.append(line.end if not last else base + len(core))
    return omap


def _locate_atx(body: str, line: _Line, content: str) -> list[int] | None:
    """Offset map for an ATX heading: the content starts after the ``#`` run."""
    text = body[line.start : line.end]
    hashes = text.find("#")
    if hashes < 0:
        return None
    after = hashes
    while after < len(text) and text[after] == "#":
        after += 1
    at = text.find(content, after)
    if at < 0:
        return None
    base = line.start + at
    return list(range(base, base + len(content) + 1))


def _split_row(body: str, start: int, end: int) -> list[list[tuple[str, int]]]:
    """markdown-it's ``escapedSplit`` of ``body[start:end]``, each character with its source offset."""
    columns: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    escaped = False
    for pos in range(start, end):
        char = body[pos]
        if char == "|" and not escaped:
            columns.append(current)
            current = []
        elif char == "|":
            current[-1] = ("|", pos - 1)  # "\|" is one "|" spanning both source characters
        else:
            current.append((char, pos))
        escaped = char == "\\"
    columns.append(current)
    return columns


def _cell_map(column: list[tuple[str, int]]) -> tuple[str, list[int]]:
    """A column's trimmed content and its offset map."""
    text = "".join(char for char, _ in column)
    content = _md_trim(text)
    if not content:
        return "", []
    lead = text.find(content)
    kept = column[lead : lead + len(content)]
    return content, [pos for _, pos in kept] + [kept[-1][1] + 1]


def _row_starts(body: str, line: _Line) -> Iterator[int]:
    """Where a table row may start: the line start, or after a container prefix."""
    found = 0
    for pos in range(line.start, line.end):
        if found >= _MAX_ROW_STARTS:
            return
        if body[pos] not in " \t" and (pos == line.start or body[pos - 1] in " \t>"):
            found += 1
            yield pos


def _locate_row(body: str, line: _Line, contents: list[str]) -> list[list[int] | None]:
    """Offset maps of a table row's cells (``None`` where a cell can't be found)."""
    for start in _row_starts(body, line):
        row = _md_trim(body[start : line.end])
        if not row:
            continue
        start = body.index(row, start)  # after blanks markdown-it trims but does not skip
        columns = _split_row(body, start, start + len(row))
        if columns and not columns[0]:
            columns.pop(0)
        if columns and not columns[-1]:
            columns.pop()
        cells = [_cell_map(column) for column in columns]
        found = [cells[i][0] if i < len(cells) else "" for i in range(len(contents))]
        if found == contents:
            return [cells[i][1] if contents[i] else None for i in range(len(contents))]
    return [None] * len(contents)


# --------------------------------------------------------------------------- inline markup


class _Walker:
    """Walks a block's content with its inline tokens as the guide, cutting it into pieces."""

    def __init__(self, md: MarkdownIt, env: dict, content: str) -> None:
        self.src = content
        self.state = StateInline(content, md, env, [])
        self.md = md
        self.pieces: list[_Piece] = []

    def run(self, tokens: list[Token]) -> list[_Piece]:
        if self.walk(tokens, 0, len(self.src)) != len(self.src):
            raise _Misaligned("content left over")
        return self.pieces

    def walk(self, tokens: list[Token], pos: int, limit: int) -> int:
        index = 0
        while index < len(tokens):
            pos, index = self.step(tokens, index, pos, limit)
        return pos

    def step(self, tokens: list[Token], index: int, pos: int, limit: int) -> tuple[int, int]:
        """Consume ``tokens[index]`` (and, for links, up to its close) at ``pos``."""
        token = tokens[index]
        kind = token.type
        if kind == "text":
            return self.expect(pos, token.content, "text"), index + 1
        if kind == "text_special":
            return self.expect(pos, token.markup, "isolated", token.info or "escape"), index + 1
        if kind in ("softbreak", "hardbreak"):
            match = _BREAK.match(self.src, pos)
            if not match:
                raise _Misaligned(kind)
            return self.add(pos, match.end(), "break", kind), index + 1
        if kind == "code_inline":
            self.expect(pos, token.markup, None)
            return self.add(pos, self.extent(backtick, pos, limit), "isolated", "code"), index + 1
        if kind == "html_inline":
            return self.expect(pos, token.content, "isolated", "html"), index + 1
        base, _, nesting = kind.rpartition("_")
        if base in _PAIRED and nesting in ("open", "close"):
            return self.expect(pos, token.markup, nesting, _PAIRED[base]), index + 1
        if kind == "link_open":
            return self.link(tokens, index, pos, limit)
        if kind == "image":
            return self.image(token, pos, limit), index + 1
        raise _Misaligned(f"unexpected token {kind}")

    def link(self, tokens: list[Token], index: int, pos: int, limit: int) -> tuple[int, int]:
        close = _matching_close(tokens, index)
        if tokens[index].markup == "autolink":
            return self.add(pos, self.extent(autolink, pos, limit), "isolated", "autolink"), close + 1
        self.expect(pos, "[", None)
        label_end = self.label_end(pos, limit, nested=False)
        end = self.extent(link, pos, limit)
        self.add(pos, pos + 1, "open", "link")
        if self.walk(tokens[index + 1 : close], pos + 1, label_end) != label_end:
            raise _Misaligned("link text")
        return self.add(label_end, end, "close", "link"), close + 1

    def image(self, token: Token, pos: int, limit: int) -> int:
        self.expect(pos, "![", None)
        label_end = self.label_end(pos + 1, limit, nested=True)
        end = self.extent(image, pos, limit)
        self.add(pos, pos + 2, "open", "image")
        if self.walk(token.children or [], pos + 2, label_end) != label_end:
            raise _Misaligned("image alt text")
        return self.add(label_end, end, "close", "image")

    def label_end(self, bracket: int, limit: int, nested: bool) -> int:
        self.state.posMax = limit
        end = self.md.helpers.parseLinkLabel(self.state, bracket, not nested)
        if end < 0:
            raise _Misaligned("link label")
        return end

    def extent(self, rule: Callable[[StateInline, bool], bool], pos: int, limit: int) -> int:
        """Where the construct at ``pos`` ends, asking markdown-it's own rule (silently)."""
        self.state.pos, self.state.posMax = pos, limit
        if not rule(self.state, True) or not pos < self.state.pos <= limit:
            raise _Misaligned(rule.__name__)
        return self.state.pos

    def expect(self, pos: int, text: str, role: str | None, name: str = "") -> int:
        if not self.src.startswith(text, pos):
            raise _Misaligned(f"expected {text!r} at {pos}")
        end = pos + len(text)
        if role is not None and end > pos:
            self.add(pos, end, role, name)
        return end

    def add(self, start: int, end: int, role: str, name: str = "") -> int:
        self.pieces.append(_Piece(start, end, role, name))
        return end


def _matching_close(tokens: list[Token], index: int) -> int:
    depth = 0
    for position in range(index, len(tokens)):
        if tokens[position].type == "link_open":
            depth += 1
        elif tokens[position].type == "link_close":
            depth -= 1
            if depth == 0:
                return position
    raise _Misaligned("unclosed link")


class _Encoder:
    """Turns a block's pieces into coded text: plain text stays, markup becomes codes."""

    def __init__(self, body: str, located: _Located) -> None:
        self.body = body
        self.located = located
        self.alloc = CodeAllocator()
        self.open: dict[str, list[str]] = {}

    def encode(self, pieces: list[_Piece]) -> str:
        coded = "".join(self.piece(piece) for piece in pieces)
        for char, code in list(self.alloc.codes.items()):
            if code.kind is CodeKind.OPEN and code.pair is None:  # never closed: stands alone
                self.alloc.codes[char] = InlineCode(char, CodeKind.ISOLATED, code.data, None, code.name)
        return coded

    def piece(self, piece: _Piece) -> str:
        data = self.located.source(self.body, piece.start, piece.end)
        if piece.role == "text":
            return self.text(piece.start, piece.end)
        if piece.role == "break":
            if piece.name == "softbreak" and data.isspace():
                return data
            name = SOFT_LINE_BREAK if piece.name == "softbreak" else HARD_LINE_BREAK
            return self.alloc.code(CodeKind.ISOLATED, data, name)
        if piece.role == "open":
            char = self.alloc.code(CodeKind.OPEN, data, piece.name)
            self.open.setdefault(piece.name, []).append(char)
            return char
        if piece.role == "close" and self.open.get(piece.name):
            return self.alloc.code(CodeKind.CLOSE, data, piece.name, pair=self.open[piece.name].pop())
        return self.alloc.code(CodeKind.ISOLATED, data, piece.name)

    def text(self, start: int, end: int) -> str:
        """Plain text; a character whose source differs (``\\|`` in a cell) becomes a code."""
        out: list[str] = []
        run_start = start
        omap, content = self.located.omap, self.located.content
        for i in range(start, end):
            if omap[i + 1] - omap[i] == 1 and self.body[omap[i]] == content[i]:
                continue
            out.append(self.plain(content[run_start:i]))
            out.append(self.alloc.code(CodeKind.ISOLATED, self.located.source(self.body, i, i + 1), "escape"))
            run_start = i + 1
        out.append(self.plain(content[run_start:end]))
        return "".join(out)

    def plain(self, text: str) -> str:
        """Verbatim text with bare URLs as isolated codes, so no engine can alter them."""
        out: list[str] = []
        last = 0
        for start, end in _urls(text):
            out.append(self.alloc.text(text[last:start]))
            out.append(self.alloc.code(CodeKind.ISOLATED, text[start:end], "url"))
            last = end
        out.append(self.alloc.text(text[last:]))
        return "".join(out)


def _urls(text: str) -> Iterator[tuple[int, int]]:
    for match in _URL.finditer(text):
        url = match.group()
        while url and (url[-1] in _URL_TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        yield match.start(), match.start() + len(url)


# --------------------------------------------------------------------------- the format


@dataclass
class _Span:
    """A located block: source ``start:end`` becomes ``block``."""

    start: int
    end: int
    block: Block


class MarkdownFormat:
    """Reads and writes Markdown, splicing translations into the original text."""

    name = "markdown"

    def read(self, data: bytes, name: str) -> Document:
        text, bom = decode_text(data, name)
        front = _front_matter_end(text)
        document = Document(name=name, format=self.name, bom=bom)
        if front:
            document.front_matter = "yaml"
        spans, failed = _spans(text[front:], name)
        document.parts = _assemble(text, front, spans)
        if failed:  # never silent: QA and the CLI can say which lines stay in the source language
            first_line = len(_split_lines(text[:front])) + 1
            document.untranslated = [f"line {first_line + line}" for line in failed]
        _check_round_trip(document, text)
        return document

    def write(self, document: Document) -> bytes:
        parts = [p if isinstance(p, str) else _render_escaped(p) for p in document.parts]
        return encode_text("".join(parts), document.bom)


#: ASCII punctuation Markdown may read as inline syntax (emphasis, code, links, autolinks/HTML,
#: entities, table cells, strikethrough, escapes).
_INLINE_SYNTAX = "\\`*_[]<&|~"
#: The start of a paragraph line that would make it a heading, list item, quote, break or setext line.
_LINE_START = re.compile(r"[ \t]{0,3}(?:#{1,6}(?=[ \t]|$)|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|>"
                         r"|=+[ \t]*$|(?:[-*_][ \t]*){3,}$)", re.MULTILINE)
#: Blocks whose lines are paragraph lines (a heading or table cell line cannot start a block).
_PARAGRAPH_KINDS = frozenset({"paragraph", "blockquote", "list_item"})


def escape_added_syntax(source: str, target: str) -> str:
    """``target`` (coded) with every inline syntax character it has more of than ``source`` escaped.

    Counted on the plain text (codes hold the source's own markup and are left
    alone); when the target has more of a character than the source, every
    occurrence of it in the target's text is escaped, since which one is the
    source's cannot be told.
    """
    plain_source, plain_target = strip_codes(source), strip_codes(target)
    added = {c for c in _INLINE_SYNTAX if plain_target.count(c) > plain_source.count(c)}
    if not added:
        return target
    return "".join(f"\\{c}" if c in added else c for c in target)


def _line_starts(coded: str, codes: dict[str, InlineCode]) -> list[int]:
    """Offsets in ``coded`` where a Markdown line starts: 0, after ``\\n``, after a line-break code."""
    starts = [0]
    for i, char in enumerate(coded):
        if char == "\n" or (is_code_char(char) and char in codes and codes[char].name in (SOFT_LINE_BREAK,
                                                                                             HARD_LINE_BREAK)):
            starts.append(i + 1)
    return starts


def _escape_line_starts(source: str, target: str, codes: dict[str, InlineCode]) -> str:
    """Escape a block marker that starts a target line, unless the source block has one too."""
    def marker_at(coded: str, start: int) -> re.Match[str] | None:
        line_end = coded.find("\n", start)
        match = _LINE_START.match(coded[start: len(coded) if line_end < 0 else line_end])
        return match if match and match.group().strip() else None

    if any(marker_at(source, start) for start in _line_starts(source, codes)):
        return target  # the source reads such a line as text (e.g. "2) " cannot interrupt a paragraph)
    out, last = [], 0
    for start in _line_starts(target, codes):
        match = marker_at(target, start)
        if match:
            first = start + len(match.group()) - len(match.group().lstrip(" \t"))
            while target[first].isdigit():  # "1. ": escape the delimiter, a digit cannot be escaped
                first += 1
            out += [target[last:first], "\\"]
            last = first
    out.append(target[last:])
    return "".join(out)


def _render_escaped(block: Block) -> str:
    """The block's target markup with the Markdown syntax the translation added escaped."""
    coded = block.join(escape_added_syntax(s.source, s.target if s.target is not None else s.source)
                       for s in block.segments)
    if block.kind in _PARAGRAPH_KINDS:
        coded = _escape_line_starts(block.source, coded, block.codes)
    return block.expand(coded)


def _assemble(text: str, offset: int, spans: list[_Span]) -> list[str | Block]:
    parts: list[str | Block] = []
    last = 0
    for span in spans:
        start, end = span.start + offset, span.end + offset
        if start > last:
            parts.append(text[last:start])
        parts.append(span.block)
        last = end
    if last < len(text):
        parts.append(text[last:])
    return parts


def _check_round_trip(document: Document, text: str) -> None:
    """The source must render back exactly; this would be a bug in this module, not in the input."""
    rendered = document.render(target=False)
    if rendered == text:
        return
    shorter = min(len(rendered), len(text))
    diff = next((i for i in range(shorter) if rendered[i] != text[i]), shorter)
    offset, near = 0, -1
    for part in document.parts:
        if isinstance(part, Block):
            near = part.index
            offset += len(part.render(target=False))
        else:
            offset += len(part)
        if offset > diff:
            break
    raise RuntimeError(
        f"internal error: markdown reader changed {document.name} at character {diff}, near block {near}"
    )


def _spans(body: str, name: str) -> tuple[list[_Span], list[int]]:
    """Every translatable block of ``body`` in order, and the lines of text that had to stay skeleton."""
    md = _parser()
    env: dict = {}
    tokens = md.parse(body, env)
    lines = _split_lines(body)
    spans: list[_Span] = []
    failed: list[int] = []
    for found in _locate_all(tokens, body, lines):
        located = found.located
        try:
            if located is None or (spans and located.start < spans[-1].end):
                raise _Misaligned("not located")
            block = _make_block(md, env, body, located, len(spans), name)
        except _Misaligned:
            failed.append(found.line)
            continue
        if block is not None:
            spans.append(_Span(located.start, located.end, block))
    return spans, failed


def _make_block(
    md: MarkdownIt, env: dict, body: str, located: _Located, index: int, name: str
) -> Block | None:
    """The block for ``located``; ``None`` when it holds only markup (it stays skeleton)."""
    pieces = _Walker(md, env, located.content).run(located.children)
    encoder = _Encoder(body, located)
    try:
        coded = encoder.encode(pieces)
    except ValueError as error:  # more inline codes than the private use area holds
        raise _Misaligned(str(error)) from None
    if not strip_codes(coded).strip():
        return None
    block = make_block(index, located.kind, coded, encoder.alloc.codes)
    if block.render(target=False) != body[located.start : located.end]:
        raise _Misaligned("block does not render back to its source")
    for number, segment in enumerate(block.segments):
        segment.id = SegmentId(name, index, number)
    return block


@dataclass
class _Found:
    """An inline token with text: where it was located, or ``None`` and the line it is on."""

    line: int
    located: _Located | None


def _locate_all(tokens: list[Token], body: str, lines: list[_Line]) -> Iterator[_Found]:
    """Walk the block tokens, tracking containers, and locate each inline token."""
    containers: list[str] = []
    row: list[list[int] | None] = []
    cell = 0
    for index, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open"):
            containers.append("blockquote" if token.type == "blockquote_open" else "list_item")
        elif token.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif token.type == "tr_open" and token.map:
            row, cell = _locate_row(body, lines[token.map[0]], _row_contents(tokens, index)), 0
        elif token.type == "inline" and index > 0 and token.content and token.map:
            parent = tokens[index - 1]
            if parent.type in ("th_open", "td_open"):
                kind, omap = "table_cell", row[cell] if cell < len(row) else None
            else:
                kind, omap = _locate_leaf(body, lines, parent, token.content, containers)
            located = _Located(kind, token.content, token.children or [], omap) if omap else None
            yield _Found(token.map[0], located)
        if token.type in ("th_close", "td_close"):
            cell += 1


def _locate_leaf(
    body: str, lines: list[_Line], parent: Token, content: str, containers: list[str]
) -> tuple[str, list[int] | None]:
    if parent.map is None:
        return "", None
    first, stop = parent.map
    if parent.type == "paragraph_open":
        kind = containers[-1] if containers else "paragraph"
        return kind, _locate_lines(body, lines, first, stop, content)
    if parent.type == "heading_open" and parent.markup in ("=", "-"):  # setext: underline is skeleton
        return "heading", _locate_lines(body, lines, first, stop - 1, content)
    if parent.type == "heading_open":
        return "heading", _locate_atx(body, lines[first], content)
    return parent.type.removesuffix("_open"), None


def _row_contents(tokens: list[Token], index: int) -> list[str]:
    contents: list[str] = []
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == "tr_close":
            break
        if tokens[position].type == "inline":
            contents.append(tokens[position].content)
    return contents
