"""Locating Markdown blocks in the ORIGINAL text, from markdown-it's block tokens.

An inline token's ``content`` is what markdown-it saw: the block's lines without
their container prefixes (``> ``, list indentation), joined by ``\\n``.  Each
content line is found at the end of its source line, giving an offset map from
content positions to source offsets (:class:`Located`).  Table rows are split on
unescaped pipes exactly as markdown-it does, keeping offsets, so ``\\|`` maps to
its two source characters.  Written by hand: markdown-it keeps line numbers
(``.map``) but no offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.token import Token

try:  # the exact whitespace set markdown-it trims with (markdown-it-py >= 4)
    from markdown_it.common.utils import mdTrim as md_trim
except ImportError:  # pragma: no cover - older markdown-it-py used str.strip()

    def md_trim(string: str) -> str:
        return string.strip()


#: markdown-it normalises each of these to "\n", so line numbers agree with ours.
LINE_END = re.compile(r"\r\n|\r|\n")
#: Most container-prefix positions tried when looking for a table row's start.
_MAX_ROW_STARTS = 12

@dataclass(frozen=True)
class Line:
    start: int  # offset of the line's first character
    end: int  # offset of its line ending (or of the end of the text)


@dataclass
class Located:
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


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    start = 0
    for match in LINE_END.finditer(text):
        lines.append(Line(start, match.start()))
        start = match.end()
    if start < len(text):
        lines.append(Line(start, len(text)))
    return lines


def _locate_lines(body: str, lines: list[Line], first: int, stop: int, content: str) -> list[int] | None:
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


def _align_lines(body: str, lines: list[Line], content: str) -> list[int] | None:
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
        if at < 0 or not text.startswith(core, at) or md_trim(text[at + len(core) :]):
            return None
        base = line.start + at
        omap.extend([base] * (len(part) - len(core)))
        omap.extend(range(base, base + len(core)))
        omap.append(line.end if not last else base + len(core))
    return omap


def _locate_atx(body: str, line: Line, content: str) -> list[int] | None:
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
    content = md_trim(text)
    if not content:
        return "", []
    lead = text.find(content)
    kept = column[lead : lead + len(content)]
    return content, [pos for _, pos in kept] + [kept[-1][1] + 1]


def _row_starts(body: str, line: Line) -> Iterator[int]:
    """Where a table row may start: the line start, or after a container prefix."""
    found = 0
    for pos in range(line.start, line.end):
        if found >= _MAX_ROW_STARTS:
            return
        if body[pos] not in " \t" and (pos == line.start or body[pos - 1] in " \t>"):
            found += 1
            yield pos


def _locate_row(body: str, line: Line, contents: list[str]) -> list[list[int] | None]:
    """Offset maps of a table row's cells (``None`` where a cell can't be found)."""
    for start in _row_starts(body, line):
        row = md_trim(body[start : line.end])
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


@dataclass
class Found:
    """An inline token with text: where it was located, or ``None`` and the line it is on."""

    line: int
    located: Located | None


def locate_all(tokens: list[Token], body: str, lines: list[Line]) -> Iterator[Found]:
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
            located = Located(kind, token.content, token.children or [], omap) if omap else None
            yield Found(token.map[0], located)
        if token.type in ("th_close", "td_close"):
            cell += 1


def _locate_leaf(
    body: str, lines: list[Line], parent: Token, content: str, containers: list[str]
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
