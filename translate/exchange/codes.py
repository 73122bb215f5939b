"""Segments' coded text ↔ unit content: each inline code becomes a numbered tag.

Tags are numbered 1, 2, ... in source order, one number per span (its open and
close share it) or standalone code, so the same segment always gives the same ids
and import can map the translator's tags back to the freshly read document's codes.
Quantities protected by :mod:`translate.localize` are not tags: they are text,
the Indonesian as written in the source, the English rendering in the target.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from ..document import CodeKind, InlineCode, is_code_char
from .model import CLOSE, END, ISOLATED, OPEN, START, Content, Tag, TagInfo


@dataclass
class TagMap:
    """The tags of one segment: code char -> tag, and tag id -> what it stands for."""

    tags: dict[str, Tag]
    info: dict[str, TagInfo]

    def chars(self) -> dict[Tag, str]:
        return {tag: char for char, tag in self.tags.items()}


def tag_map(source: str, codes: Mapping[str, InlineCode], skip: Collection[str] = ()) -> TagMap:
    """Number the codes of a coded source (``skip``: code chars written as text, e.g. quantities)."""
    present = set(source)
    tags: dict[str, Tag] = {}
    info: dict[str, TagInfo] = {}
    for char in source:
        if not is_code_char(char) or char in skip or char in tags:
            continue
        code = codes.get(char) or InlineCode(char, CodeKind.ISOLATED, char, None, "literal")
        number = str(len(info) + 1)
        if code.kind is CodeKind.OPEN and code.pair in present:
            tags[char], tags[code.pair] = Tag(START, number), Tag(END, number)
            end = codes[code.pair].data if code.pair in codes else ""
            info[number] = TagInfo(number, START, code.name, code.data, end)
            continue
        role = {CodeKind.OPEN: OPEN, CodeKind.CLOSE: CLOSE}.get(code.kind, ISOLATED)
        tags[char] = Tag(role, number)
        info[number] = TagInfo(number, role, code.name, code.data)
    return TagMap(tags, info)


def to_content(coded: str, tags: TagMap, texts: Mapping[str, str] | None = None) -> Content:
    """Coded text as unit content; ``texts`` maps code chars written as text (quantities) to that text."""
    texts = texts or {}
    content: Content = []
    for char in coded:
        if char in texts:
            _append_text(content, texts[char])
        elif char in tags.tags:
            content.append(tags.tags[char])
        elif is_code_char(char):
            raise ValueError(f"code U+{ord(char):04X} is not among the source's codes")
        else:
            _append_text(content, char)
    return content


def _append_text(content: Content, text: str) -> None:
    if content and isinstance(content[-1], str):
        content[-1] += text
    else:
        content.append(text)


def from_content(content: Content, tags: TagMap) -> str:
    """Unit content back to coded text (tags must be the map's; the importer checks that first)."""
    chars = tags.chars()
    return "".join(part if isinstance(part, str) else chars[part] for part in content)


__all__ = ["CLOSE", "END", "ISOLATED", "OPEN", "START", "TagMap", "from_content", "tag_map", "to_content"]
