"""Cutting a Markdown block's content into text and inline markup, and coding the markup.

Inline tokens have no positions, so the content is walked from left to right
with the token sequence as the guide (:class:`Walker`): text, delimiters (``*``,
``__``, ``~~``), escapes and entities appear verbatim in the source; where a
token's extent is not in the token (code spans, autolinks, a link's
``](url "title")``, an image's label), markdown-it's own inline rule is re-run in
silent mode at that position to learn where it ends.  Any disagreement raises
:class:`Misaligned`, and the block stays skeleton instead of risking the round trip.

Codes (:class:`Encoder`).  Emphasis, strong and strikethrough become OPEN/CLOSE
pairs; a link is OPEN ``[`` / CLOSE ``](url)`` and an image OPEN ``![`` / CLOSE
``](src)`` so link and alt text are translated; code spans, autolinks, inline
HTML, hard breaks, escapes, entities and bare URLs are ISOLATED codes holding
their exact source.

Soft line breaks.  A soft break whose source is only whitespace (``\\n``,
``\\r\\n``, ``\\n   `` in a list item) stays plain whitespace text, which the
engine may keep or drop; one that carries a container prefix (``\\n> `` in a
block quote) is one ISOLATED code named ``linebreak``, so the prefix cannot be
lost or translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline, autolink, backtick, image, link
from markdown_it.token import Token

from ..document import HARD_LINE_BREAK, SOFT_LINE_BREAK, CodeAllocator, CodeKind, InlineCode
from .markdown_locate import Located

#: The source of a soft or hard line break, from where the text before it ends.
_BREAK = re.compile(r"[ ]*\\?\n[ \t]*")
#: Bare URLs in text; trailing sentence punctuation is not part of them.
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'`]+|www\.[^\s<>\"'`]+\.[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\""
#: Paired inline tokens: type prefix -> code name.
_PAIRED = {"em": "emphasis", "strong": "strong", "s": "strikethrough"}


class Misaligned(Exception):
    """The token sequence and the source disagree: the block stays skeleton."""


@dataclass(frozen=True)
class _Piece:
    """One run of a block's content: plain text or one piece of markup."""

    start: int
    end: int
    role: str  # "text", "open", "close", "isolated", "break"
    name: str = ""


class Walker:
    """Walks a block's content with its inline tokens as the guide, cutting it into pieces."""

    def __init__(self, md: MarkdownIt, env: dict, content: str) -> None:
        self.src = content
        self.state = StateInline(content, md, env, [])
        self.md = md
        self.pieces: list[_Piece] = []

    def run(self, tokens: list[Token]) -> list[_Piece]:
        if self.walk(tokens, 0, len(self.src)) != len(self.src):
            raise Misaligned("content left over")
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
                raise Misaligned(kind)
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
        raise Misaligned(f"unexpected token {kind}")

    def link(self, tokens: list[Token], index: int, pos: int, limit: int) -> tuple[int, int]:
        close = _matching_close(tokens, index)
        if tokens[index].markup == "autolink":
            return self.add(pos, self.extent(autolink, pos, limit), "isolated", "autolink"), close + 1
        self.expect(pos, "[", None)
        label_end = self.label_end(pos, limit, nested=False)
        end = self.extent(link, pos, limit)
        self.add(pos, pos + 1, "open", "link")
        if self.walk(tokens[index + 1 : close], pos + 1, label_end) != label_end:
            raise Misaligned("link text")
        return self.add(label_end, end, "close", "link"), close + 1

    def image(self, token: Token, pos: int, limit: int) -> int:
        self.expect(pos, "![", None)
        label_end = self.label_end(pos + 1, limit, nested=True)
        end = self.extent(image, pos, limit)
        self.add(pos, pos + 2, "open", "image")
        if self.walk(token.children or [], pos + 2, label_end) != label_end:
            raise Misaligned("image alt text")
        return self.add(label_end, end, "close", "image")

    def label_end(self, bracket: int, limit: int, nested: bool) -> int:
        self.state.posMax = limit
        end = self.md.helpers.parseLinkLabel(self.state, bracket, not nested)
        if end < 0:
            raise Misaligned("link label")
        return end

    def extent(self, rule: Callable[[StateInline, bool], bool], pos: int, limit: int) -> int:
        """Where the construct at ``pos`` ends, asking markdown-it's own rule (silently)."""
        self.state.pos, self.state.posMax = pos, limit
        if not rule(self.state, True) or not pos < self.state.pos <= limit:
            raise Misaligned(rule.__name__)
        return self.state.pos

    def expect(self, pos: int, text: str, role: str | None, name: str = "") -> int:
        if not self.src.startswith(text, pos):
            raise Misaligned(f"expected {text!r} at {pos}")
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
    raise Misaligned("unclosed link")


class Encoder:
    """Turns a block's pieces into coded text: plain text stays, markup becomes codes."""

    def __init__(self, body: str, located: Located) -> None:
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
