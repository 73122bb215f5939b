"""Markdown (CommonMark + GFM tables and strikethrough) read into the core model, written back in place.

The file is parsed with markdown-it-py, but never re-rendered: the block tokens'
``.map`` line ranges locate each paragraph, heading and table cell in the
ORIGINAL text (:mod:`.markdown_locate`), everything around them stays skeleton,
and translations are spliced into the original.  So an unchanged document
round-trips byte for byte (CRLF, BOM, tabs, trailing spaces and odd Markdown
included), and a changed one keeps every character of markup that was not
translated.  Inline markup becomes codes (:mod:`.markdown_inline`); the writer
escapes the syntax a translation added (:mod:`.markdown_escape`); ``read``
finally checks that the source renders back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

from ..document import Block, Document, SegmentId, make_block, strip_codes
from ..textio import decode_text, encode_text
from .markdown_escape import render_block
from .markdown_front_matter import (
    FRONT_MATTER_KEYS,
    VALUE_KIND,
    Value,
    find_front_matter,
    front_matter_values,
    render_value,
    value_block,
)
from .markdown_inline import Encoder, Misaligned, Walker
from .markdown_locate import Located, locate_all, split_lines

#: What follows a value on its line (a comment), which must still read as it did.
_REST_OF_LINE = re.compile(r"[^\r\n]*")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark + GFM tables/strikethrough, with escapes and entities kept as own tokens."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.disable("text_join")  # keep text_special tokens: we need to know where escapes are
    return md


@dataclass
class _Span:
    """A located block: source ``start:end`` becomes ``block``."""

    start: int
    end: int
    block: Block


class MarkdownFormat:
    """Reads and writes Markdown, splicing translations into the original text.

    ``front_matter_keys``: the top-level front matter keys whose values are
    translated (:data:`FRONT_MATTER_KEYS` by default; empty: none).
    """

    name = "markdown"

    def __init__(self, front_matter_keys: Iterable[str] = FRONT_MATTER_KEYS) -> None:
        self.front_matter_keys = tuple(key.lower() for key in front_matter_keys)

    def read(self, data: bytes, name: str) -> Document:
        text, bom = decode_text(data, name)
        front = find_front_matter(text)
        document = Document(name=name, format=self.name, bom=bom)
        if front.dialect:
            document.front_matter = front.dialect
        values, untranslated = front_matter_values(text, front, self.front_matter_keys)
        spans = [_Span(value.start, value.end, _value_block(text, value, front.dialect, number, name))
                 for number, value in enumerate(values)]
        body_spans, failed = _spans(text[front.end :], name, len(spans))
        spans += [_Span(span.start + front.end, span.end + front.end, span.block) for span in body_spans]
        document.parts = _assemble(text, 0, spans)
        first_line = len(split_lines(text[: front.end])) + 1
        untranslated += [first_line + line for line in failed]
        if untranslated:  # never silent: QA and the CLI can say which lines stay in the source language
            document.untranslated = [f"line {line}" for line in untranslated]
        _check_round_trip(document, text)
        return document

    def write(self, document: Document) -> bytes:
        parts = document.parts
        dialect = document.front_matter or "yaml"
        texts: list[str] = []
        closing_quote = False  # the skeleton after a front matter value starts with its closing quote
        for index, part in enumerate(parts):
            if isinstance(part, str):
                texts.append(part[1:] if closing_quote else part)
                closing_quote = False
            elif part.kind == VALUE_KIND:  # written with its quotes: a translation may need others
                before, after = _around(parts, index)
                quote = before[-1:] if before[-1:] in ("'", '"') else ""
                if quote:
                    texts[-1], closing_quote = texts[-1][:-1], True
                style = {'"': "double", "'": "single"}.get(quote, "plain")
                rest = _REST_OF_LINE.match(after, len(quote))  # [^\r\n]* always matches
                rest_of_line = rest.group() if rest else ""
                texts.append(render_value(part, dialect, style, rest_of_line))
            else:
                texts.append(render_block(part, *_around(parts, index)))
        return encode_text("".join(texts), document.bom)


def _around(parts: list[str | Block], index: int) -> tuple[str, str]:
    """The skeleton just before ``parts[index]`` (a block at the very start follows a line end),
    and the source just after it, through the next part after its skeleton (which holds the next line)."""
    before = parts[index - 1] if index else "\n"
    after = "".join(part if isinstance(part, str) else part.render(target=False)
                    for part in parts[index + 1 : index + 3])
    return before if isinstance(before, str) else "", after


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


def _spans(body: str, name: str, first_index: int = 0) -> tuple[list[_Span], list[int]]:
    """Every translatable block of ``body`` in order (numbered from ``first_index``), and the lines
    of text that had to stay skeleton."""
    md = _parser()
    env: dict = {}
    tokens = md.parse(body, env)
    lines = split_lines(body)
    spans: list[_Span] = []
    failed: list[int] = []
    for found in locate_all(tokens, body, lines):
        located = found.located
        try:
            if located is None or (spans and located.start < spans[-1].end):
                raise Misaligned("not located")
            block = _make_block(md, env, body, located, first_index + len(spans), name)
        except Misaligned:
            failed.append(found.line)
            continue
        if block is not None:
            spans.append(_Span(located.start, located.end, block))
    return spans, failed


def _make_block(
    md: MarkdownIt, env: dict, body: str, located: Located, index: int, name: str
) -> Block | None:
    """The block for ``located``; ``None`` when it holds only markup (it stays skeleton)."""
    pieces = Walker(md, env, located.content).run(located.children)
    encoder = Encoder(body, located)
    try:
        coded = encoder.encode(pieces)
    except ValueError as error:  # more inline codes than the private use area holds
        raise Misaligned(str(error)) from None
    if not strip_codes(coded).strip():
        return None
    block = make_block(index, located.kind, coded, encoder.alloc.codes)
    if block.render(target=False) != body[located.start : located.end]:
        raise Misaligned("block does not render back to its source")
    return _with_ids(block, name)


def _value_block(text: str, value: Value, dialect: str, index: int, name: str) -> Block:
    return _with_ids(value_block(text, value, dialect, index), name)


def _with_ids(block: Block, name: str) -> Block:
    for number, segment in enumerate(block.segments):
        segment.id = SegmentId(name, block.index, number)
    return block
