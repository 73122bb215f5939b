"""Front matter at the top of a Markdown file: never Markdown."""

from __future__ import annotations

import re

from .markdown_locate import LINE_END, split_lines

#: Lines that open and close YAML front matter.
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*")
_FRONT_MATTER_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")


def front_matter_end(text: str) -> int:
    """Length of a leading ``---`` YAML front matter block (0 if none): it is never Markdown."""
    lines = split_lines(text)
    if not lines or not _FRONT_MATTER_OPEN.fullmatch(text[lines[0].start : lines[0].end]):
        return 0
    for line in lines[1:]:
        if _FRONT_MATTER_CLOSE.fullmatch(text[line.start : line.end]):
            ending = LINE_END.match(text, line.end)
            return ending.end() if ending else line.end
    return 0
