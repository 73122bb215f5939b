"""Writing a translated Markdown block: escaping the syntax the model added.

What the model wrote is text, not Markdown: a ``*``, ``_``, ``[`` or ``|`` it
adds, or a paragraph line it starts with ``# `` or ``1. ``, would turn into
emphasis, a link, a table cell or a heading.  :func:`escape_added_syntax`
backslash-escapes those (CommonMark lets a backslash escape any ASCII
punctuation, and the escape renders as the bare character).  Only what the model
*added* is escaped: a character the source text already had as text, as often as
the target has it, is written as it was, so an identity run keeps every byte.

Lines.  A block marker (``# ``, ``1. ``, ``* ``, ``>``) at the start of a target
line is escaped unless a source line starts with the same marker in the same
situation (first line or not, text after it or not): ``foo\n*`` is a
paragraph, ``foo\n* bar`` a list.  A table cell that starts its row is such a
line too.  A line that could be a table's delimiter row gets its first
character escaped once the block changed, since new text can change the
column count of the line above; and a changed block whose *next* line (a
setext underline, a lazy ``---``) could be one writes its pipes as ``&#124;``.

Reference links.  A shortcut (``[text]``) or collapsed (``[text][]``) reference
is found through its text, so a translated text would no longer name the
definition: when the text changed, the link is written as a full reference to
the source's label, ``[translated][text]`` (:func:`full_references`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..document import (
    CODE_CHARS,
    HARD_LINE_BREAK,
    SOFT_LINE_BREAK,
    Block,
    InlineCode,
    is_code_char,
    strip_codes,
)

#: ASCII punctuation Markdown may read as inline syntax (emphasis, code, links, autolinks/HTML,
#: entities, table cells, strikethrough, escapes).
_INLINE_SYNTAX = "\\`*_[]<&|~"
#: The start of a paragraph line that would make it a heading, list item, quote, break or setext line.
_LINE_START = re.compile(r"[ \t]{0,3}(?:#{1,6}(?=[ \t]|$)|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|>"
                         r"|=+[ \t]*$|(?:[-*_][ \t]*){3,}$)")
#: A line markdown-it could read as a table's delimiter row (``| - | :-:``, ``---|---``, ``:-:``).
_DELIMITER_ROW = re.compile(r"[ \t]*([|:-])(?=[|: \t-]*-)[|: \t-]*")
#: Codes that end a Markdown line.
_BREAK_CODES = (SOFT_LINE_BREAK, HARD_LINE_BREAK)
#: The close code of a link or image whose text is also its reference label.
_LABEL_CLOSES = frozenset({"]", "][]"})
#: The line after a block's end, past any container prefix (``> ``, indentation).
_NEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)[ \t>]*([^\r\n]*)")
#: Skeleton that ends where a line's content starts (after a line end and any container prefix).
_LINE_START_BEFORE = re.compile(r"(?:\A|[\r\n])[ \t>]*\Z")
#: Blocks whose lines are paragraph lines: a setext heading's are too (an ATX heading's one line
#: cannot start a block, but a marker escaped there still renders as itself); a table cell's are not.
_PARAGRAPH_KINDS = frozenset({"paragraph", "blockquote", "list_item", "heading"})


def escape_added_syntax(source: str, target: str, as_references: str = "") -> str:
    """``target`` (coded) with every inline syntax character it has more of than ``source`` escaped.

    Counted on the plain text (codes hold the source's own markup and are left
    alone); when the target has more of a character than the source, every
    occurrence of it in the target's text is escaped, since which one is the
    source's cannot be told.  Characters in ``as_references`` are all written as
    numeric character references (``&#124;``) instead.
    """
    plain_source, plain_target = strip_codes(source), strip_codes(target)
    added = {c for c in _INLINE_SYNTAX if plain_target.count(c) > plain_source.count(c)}
    if not added and not any(c in target for c in as_references):
        return target
    return "".join(f"&#{ord(c)};" if c in as_references else f"\\{c}" if c in added else c for c in target)


def _lines(coded: str, codes: dict[str, InlineCode]) -> list[tuple[int, int]]:
    """``(start, end)`` of each Markdown line of ``coded``: lines end at ``\\n`` and at line-break codes."""
    lines, start = [], 0
    for i, char in enumerate(coded):
        if char == "\n" or (is_code_char(char) and char in codes and codes[char].name in _BREAK_CODES):
            lines.append((start, i))
            start = i + 1
    lines.append((start, len(coded)))
    return lines


def _markers(coded: str, codes: dict[str, InlineCode]) -> Iterator[tuple[re.Match[str], tuple]]:
    """Each block marker that starts a line, with what decides whether it starts a block there.

    Whether ``2)``, ``*`` or ``===`` starts a block depends on the marker, on
    whether anything follows it on its line (an empty list item cannot
    interrupt a paragraph) and on whether the line is the block's first.
    """
    for number, (start, end) in enumerate(_lines(coded, codes)):
        match = _LINE_START.match(coded, start, end)
        if match and match.group().strip():
            yield match, (number == 0, match.group(), not coded[match.end() : end].strip())


def _escape_line_starts(source: str, target: str, codes: dict[str, InlineCode]) -> str:
    """Escape each block marker that starts a target line, unless a source line has the same one.

    The source's markers are text there (the block is one paragraph), and the
    same marker in the same situation stays text in the target.
    """
    harmless = {situation for _, situation in _markers(source, codes)}
    out, last = [], 0
    for match, situation in _markers(target, codes):
        if situation in harmless:
            continue
        first = match.start() + len(match.group()) - len(match.group().lstrip(" \t"))
        while target[first].isdigit():  # "1. ": escape the delimiter, a digit cannot be escaped
            first += 1
        out += [target[last:first], "\\"]
        last = first
    out.append(target[last:])
    return "".join(out)


def _escape_delimiter_rows(source: str, target: str, codes: dict[str, InlineCode]) -> str:
    """Escape the first character of every line but the first that could be a table's delimiter row.

    In the source the line did not make a table (the block is a paragraph), but
    only because its column count differs from the line above; translated text
    (``[`` before a leading ``|``) can change that count.  ``\\|``, ``\\-`` and ``\\:``
    render as the bare character, and a row starting with ``\\`` is no delimiter row.
    """
    if target == source:
        return target
    out, last = [], 0
    for start, end in _lines(target, codes)[1:]:
        match = _DELIMITER_ROW.fullmatch(target, start, end)
        if match:
            out += [target[last : match.start(1)], "\\"]
            last = match.start(1)
    out.append(target[last:])
    return "".join(out)


def full_references(block: Block, target: str) -> dict[str, str]:
    """New markup for the close codes of shortcut and collapsed references whose text ``target`` changed.

    The label is the source's text between the brackets, verbatim (markdown-it
    looks a reference up by exactly that source text, normalised).
    """
    source = block.source
    markup: dict[str, str] = {}
    for char, code in block.codes.items():
        if code.name not in ("link", "image") or code.data not in _LABEL_CLOSES or code.pair is None:
            continue
        opened, closed = target.find(code.pair), target.find(char)
        if not 0 <= opened < closed:
            continue
        label = block.expand(source[source.index(code.pair) + 1 : source.index(char)])
        if block.expand(target[opened + 1 : closed]) != label:
            markup[char] = f"][{label}]"
    return markup


def _pipes_as_references(block: Block, following: str) -> str:
    """``"|"`` when the block changed and the line after it could be a table's delimiter row.

    A setext heading's ``---`` underline, a ``|-|`` line after an ATX heading or
    a ``---`` after a paragraph in a block quote (markdown-it reads it as a lazy
    line) makes a table of a line holding a pipe and one column, which a
    translation can produce from any pipes (``Foo | bar`` → ``| Foo bar``); a
    backslash does not help (``\\|`` still counts), ``&#124;`` does.
    """
    if block.kind == "table_cell" or block.target == block.source:
        return ""
    match = _NEXT_LINE.match(following)
    return "|" if match and _DELIMITER_ROW.fullmatch(match.group(1)) else ""


def render_block(block: Block, preceding: str = "\n", following: str = "") -> str:
    """The block's target markup with the Markdown syntax the translation added escaped.

    ``preceding`` and ``following`` are the skeleton around the block: whether a
    table cell starts its line (a row without a leading pipe: ``1) x | y`` would
    end the table with a list) and what the next line is matter.
    """
    references = _pipes_as_references(block, following)
    coded = block.join(escape_added_syntax(s.source, s.source if s.target is None else s.target, references)
                       for s in block.segments)
    if block.kind in _PARAGRAPH_KINDS or _LINE_START_BEFORE.search(preceding):
        coded = _escape_line_starts(block.source, coded, block.codes)
    if block.kind in _PARAGRAPH_KINDS:
        coded = _escape_delimiter_rows(block.source, coded, block.codes)
    markup = full_references(block, coded)
    return CODE_CHARS.sub(lambda m: markup.get(m.group()) or block.codes[m.group()].data, coded)
