"""The text a metric sees in a Document: its units (paragraphs or blocks) and their sentences.

Hypothesis and reference are read with the same format readers as the
pipeline, so markup never leaks into scores.  The unit is the block
(paragraph, heading, list item, table cell) or, in plain text, the paragraph:
the pipeline keeps them one to one, while a system may legitimately merge or
split sentences inside them (see :mod:`translate.evaluate.align`).
"""

from __future__ import annotations

import html
import re

from ..document import Block, Document, strip_codes

_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def unit_texts(document: Document) -> tuple[str, list[str]]:
    """The scoring units of a document, one line of plain text each, and their name.

    Markdown blocks are fixed by the syntax, so they are the units.  In plain
    text, whether a line is a block of its own depends on its punctuation, which
    a translation may change; paragraphs (separated by blank lines) do not move,
    so they are the units there.
    """
    if document.format == "text":
        groups = paragraphs(document)
        level = "paragraph"
    else:
        groups = [[block] for block in document.blocks]
        level = "block"
    texts = [" ".join(visible_text(block.source, block) for block in group) for group in groups]
    return level, [_SPACE.sub(" ", text).strip() for text in texts]


def _lf(text: str) -> str:
    """CRLF and CR line endings as LF, so one pattern finds blank lines in any file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unit_groups(document: Document) -> list[list[Block]]:
    """The blocks of each scoring unit of :func:`unit_texts`, in the same order."""
    return paragraphs(document) if document.format == "text" else [[block] for block in document.blocks]


def visible_text(coded: str, block: Block) -> str:
    """The text a reader sees: markup codes dropped, escapes and entities as their character.

    A Markdown writer escapes a ``[`` or ``*`` the model wrote (``\\[``); the reader
    sees ``[``, and so should the metrics (a reference may write it bare).
    """
    def shown(char: str) -> str:
        code = block.codes.get(char)
        if code is None:
            return char
        if code.name == "escape" and len(code.data) == 2 and code.data[0] == "\\":
            return code.data[1]
        if code.name == "entity":
            return html.unescape(code.data)
        return ""

    return "".join(shown(c) for c in coded) if block.codes else strip_codes(coded)


def unit_sentences(document: Document) -> list[list[str]]:
    """The sentences (segments) of each scoring unit, as plain text; empty ones left out."""
    units = []
    for group in unit_groups(document):
        texts = (_SPACE.sub(" ", visible_text(s.source, block)).strip()
                 for block in group for s in block.segments)
        units.append([text for text in texts if text])
    return units


def paragraphs(document: Document) -> list[list[Block]]:
    """Blocks grouped by the blank lines between them."""
    groups: list[list[Block]] = []
    start_new = True
    for part in document.parts:
        if isinstance(part, str):
            start_new = start_new or _BLANK_LINE.search(_lf(part)) is not None
        elif start_new or not groups:
            groups.append([part])
            start_new = False
        else:
            groups[-1].append(part)
    return groups
