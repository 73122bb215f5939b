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

from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

from ..document import Block, Document, SegmentId, make_block, strip_codes
from ..textio import decode_text, encode_text
from .markdown_escape import render_block
from .markdown_front_matter import front_matter_end
from .markdown_inline import Encoder, Misaligned, Walker
from .markdown_locate import Located, locate_all, split_lines


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
    """Reads and writes Markdown, splicing translations into the original text."""

    name = "markdown"

    def read(self, data: bytes, name: str) -> Document:
        text, bom = decode_text(data, name)
        front = front_matter_end(text)
        document = Document(name=name, format=self.name, bom=bom)
        if front:
            document.metadata["front_matter"] = "yaml"
        spans, failed = _spans(text[front:], name)
        document.parts = _assemble(text, front, spans)
        if failed:  # never silent: QA and the CLI can say which lines stay in the source language
            first_line = len(split_lines(text[:front])) + 1
            document.metadata["untranslated_lines"] = ", ".join(str(first_line + line) for line in failed)
        _check_round_trip(document, text)
        return document

    def write(self, document: Document) -> bytes:
        parts = document.parts
        texts = [part if isinstance(part, str) else render_block(part, *_around(parts, index))
                 for index, part in enumerate(parts)]
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


def _spans(body: str, name: str) -> tuple[list[_Span], list[int]]:
    """Every translatable block of ``body`` in order, and the lines of text that had to stay skeleton."""
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
            block = _make_block(md, env, body, located, len(spans), name)
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
    for number, segment in enumerate(block.segments):
        segment.id = SegmentId(name, index, number)
    return block
