"""Front matter at the top of a Markdown file (Hugo, Jekyll): YAML between ``---``, TOML between ``+++``.

Front matter is never Markdown, and most of it is data (dates, slugs, tags)
that must stay byte-identical.  But a few keys hold text a reader sees: the
headline (``title``), ``description`` and ``summary`` (:data:`FRONT_MATTER_KEYS`,
a reader option).  Their values, when they are one-line strings at the top
level, become blocks of kind ``front_matter``; the keys, every other key, the
quotes and comments stay skeleton.

Reading.  A value's source between its quotes is the block: escapes (YAML
``\\"``, ``\\n``, ``''``; TOML ``\\"``, ``\\u00e9``) are isolated codes holding their
exact source, so an unchanged value renders back byte for byte.  Each value is
checked against what PyYAML (``yaml.safe_load``) or ``tomllib`` reads for that
key; one that does not agree (a block scalar ``>-``, a plain scalar continued
on the next line, a number) stays skeleton, and a text value left so is
reported with the other untranslated lines.  Front matter that does not parse
at all is left alone, its keys' lines reported.

Writing (:func:`render_value`).  The translation is quoted for its style:
``"`` and ``\\`` escaped (and control characters) in a double-quoted value,
``'`` doubled in a single-quoted YAML one; a value its style cannot hold (a
TOML literal string with a ``'``, a YAML plain scalar that would not read back
as the same string: ``: ``, `` #``, a leading ``[``, ``yes``) is written
double-quoted instead.  Written by hand because no YAML or TOML library writes
a file back byte for byte; the libraries check what is read and written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from ..document import Block, CodeAllocator, CodeKind, is_code_char, make_block
from .markdown_locate import LINE_END, split_lines

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10: TOML front matter stays skeleton
    tomllib = None  # type: ignore[assignment]

#: Front matter keys whose values are translated (Hugo and Jekyll show them to readers).
FRONT_MATTER_KEYS: tuple[str, ...] = ("title", "description", "summary")
#: The block kind of a front matter value.
VALUE_KIND = "front_matter"
#: Lines that open and close front matter, per dialect.
_FENCES = {
    "yaml": (re.compile(r"---[ \t]*"), re.compile(r"(?:---|\.\.\.)[ \t]*")),
    "toml": (re.compile(r"\+\+\+[ \t]*"), re.compile(r"\+\+\+[ \t]*")),
}
#: A top-level ``key: value`` (YAML) or ``key = value`` (TOML) line.
_KEY_LINE = {
    "yaml": re.compile(r"(?P<key>[A-Za-z_][\w.-]*)[ \t]*:[ \t]+(?P<value>\S)"),
    "toml": re.compile(r"(?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*(?P<value>\S)"),
}
#: A quoted scalar at the start of a value, and the end of its line (a comment at most).
_QUOTED = {
    ("yaml", "double"): re.compile(r'"((?:[^"\\]|\\.)*)"'),
    ("yaml", "single"): re.compile(r"'((?:[^']|'')*)'"),
    ("toml", "double"): re.compile(r'"(?!"")((?:[^"\\]|\\.)*)"'),
    ("toml", "single"): re.compile(r"'(?!'')([^']*)'"),
}
_LINE_REST = re.compile(r"[ \t]*(?:#.*)?")
#: Characters a YAML plain scalar cannot start with (indicators), and the start of a comment.
_NOT_PLAIN_START = frozenset("[]{}#&*!|>'\"%@`,")
_COMMENT = re.compile(r"[ \t]#")
#: Escapes, per dialect and style (single-quoted YAML has one: ``''``; TOML literal strings none).
_ESCAPES = {
    ("yaml", "double"): re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL),
    ("yaml", "single"): re.compile(r"''"),
    ("toml", "double"): re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL),
}
#: What a one-character escape stands for (YAML's set; TOML's is a subset of it).
_ESCAPED = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}  # fmt: skip
#: Characters a double-quoted value writes as an escape: YAML's and TOML's non-printable ones.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f", '"': '\\"', "\\": "\\\\"}


@dataclass(frozen=True)
class FrontMatter:
    dialect: str  # "yaml", "toml", or "" where the file has none
    end: int  # its length, closing line included


@dataclass(frozen=True)
class Value:
    """A translatable value: ``text[start:end]`` is its source between the quotes."""

    start: int
    end: int
    style: str  # "plain", "double" or "single"
    line: int  # 1-based


def find_front_matter(text: str) -> FrontMatter:
    """A leading ``---`` (YAML) or ``+++`` (TOML) block, through its closing line."""
    lines = split_lines(text)
    if not lines:
        return FrontMatter("", 0)
    first = text[lines[0].start : lines[0].end]
    for dialect, (opening, closing) in _FENCES.items():
        if not opening.fullmatch(first):
            continue
        for line in lines[1:]:
            if closing.fullmatch(text[line.start : line.end]):
                ending = LINE_END.match(text, line.end)
                return FrontMatter(dialect, ending.end() if ending else line.end)
    return FrontMatter("", 0)


def _load(text: str, dialect: str) -> dict | None:
    """The front matter's top-level mapping, or ``None`` when it does not parse as one."""
    try:
        if dialect == "yaml":
            loaded = yaml.safe_load(text)
        elif tomllib is not None:
            loaded = tomllib.loads(text)
        else:  # pragma: no cover
            return None
    except (yaml.YAMLError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return None
    return loaded if isinstance(loaded, dict) else None


def _decode_escape(raw: str) -> str:
    """What one escape (``\\"``, ``\\u00e9``, ``''``) stands for."""
    if raw == "''":
        return "'"
    if raw[1] in "xuU":
        return chr(int(raw[2:], 16))
    return _ESCAPED.get(raw[1], raw)


def _pieces(raw: str, dialect: str, style: str) -> Iterator[tuple[str, bool]]:
    """The value's source cut into ``(text, is_escape)`` pieces."""
    pattern = _ESCAPES.get((dialect, style))
    last = 0
    for match in pattern.finditer(raw) if pattern else ():
        yield raw[last : match.start()], False
        yield match.group(), True
        last = match.end()
    yield raw[last:], False


def _decoded(raw: str, dialect: str, style: str) -> str:
    """The string a value's source stands for."""
    return "".join(_decode_escape(text) if escape else text for text, escape in _pieces(raw, dialect, style))


def _value_on(line_text: str, key_line: re.Match[str], dialect: str) -> tuple[int, int, str] | None:
    """``(start, end, style)`` of the one-line string value of a key line, within the line."""
    at = key_line.start("value")
    for style in ("double", "single"):
        pattern = _QUOTED.get((dialect, style))
        match = pattern.match(line_text, at) if pattern else None
        if match and _LINE_REST.fullmatch(line_text, match.end()):
            return match.start(1), match.end(1), style
    if dialect == "yaml" and line_text[at] not in _NOT_PLAIN_START:
        comment = _COMMENT.search(line_text, at)
        end = len(line_text[: comment.start() if comment else len(line_text)].rstrip(" \t"))
        return at, end, "plain"
    return None


def front_matter_values(text: str, front: FrontMatter,
                        keys: tuple[str, ...]) -> tuple[list[Value], list[int]]:
    """The translatable values of the front matter ``text[:front.end]``, and the lines of text
    values that stay untranslated (the library reads them otherwise, or the front matter does not parse)."""
    if not front.dialect or not keys:
        return [], []
    lines = split_lines(text[: front.end])[1:-1]
    body = text[lines[0].start : lines[-1].end] if lines else ""
    loaded = _load(body, front.dialect)
    values: list[Value] = []
    skipped: list[int] = []
    for number, line in enumerate(lines, 2):
        line_text = text[line.start : line.end]
        if front.dialect == "toml" and line_text.startswith("["):
            break  # a [table]: what follows is not top level
        key_line = _KEY_LINE[front.dialect].match(line_text)
        if not key_line or key_line.group("key").lower() not in keys:
            continue
        if loaded is None:
            skipped.append(number)
            continue
        wanted = loaded.get(key_line.group("key"))
        if not isinstance(wanted, str) or not wanted.strip():
            continue  # data (a date, a list), or nothing to translate
        found = _value_on(line_text, key_line, front.dialect)
        if found is None or _decoded(line_text[found[0] : found[1]], front.dialect, found[2]) != wanted:
            skipped.append(number)
            continue
        values.append(Value(line.start + found[0], line.start + found[1], found[2], number))
    return values, skipped


def value_block(text: str, value: Value, dialect: str, index: int) -> Block:
    """The block of one value: its text, with each escape an isolated code."""
    alloc = CodeAllocator()
    coded = "".join(
        alloc.code(CodeKind.ISOLATED, piece, "escape") if escape else alloc.text(piece)
        for piece, escape in _pieces(text[value.start : value.end], dialect, value.style)
    )
    return make_block(index, VALUE_KIND, coded, alloc.codes)


# --------------------------------------------------------------------------- writing


def _escape(char: str) -> str:
    """A character as a double-quoted string holds it (the same in YAML and TOML)."""
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    return f"\\u{ord(char):04x}" if _UNPRINTABLE.match(char) else char


def _double_quoted(block: Block, coded: str) -> str:
    """``coded`` as a double-quoted string: the source's escapes kept, the text escaped where it must be."""
    out = []
    for char in coded:
        code = block.codes.get(char) if is_code_char(char) else None
        if code is not None and code.name == "escape":
            out.append(code.data)
        else:  # text, or what a code added after reading stands for (a localized number)
            out.extend(_escape(c) for c in (code.data if code is not None else char))
    return '"' + "".join(out) + '"'


def _value(block: Block, coded: str) -> str:
    """The string ``coded`` stands for: escapes decoded."""
    out = []
    for char in coded:
        code = block.codes.get(char) if is_code_char(char) else None
        if code is None:
            out.append(char)
        else:
            out.append(_decode_escape(code.data) if code.name == "escape" else code.data)
    return "".join(out)


def _plain_reads_back(value: str, rest_of_line: str) -> bool:
    """Whether ``key: value`` (and the rest of its line) reads ``value`` back as a YAML string."""
    if not value or value != value.strip() or _UNPRINTABLE.search(value) or "\t" in value:
        return False
    try:
        return yaml.safe_load(f"key: {value}{rest_of_line}\n") == {"key": value}
    except yaml.YAMLError:
        return False


def render_value(block: Block, dialect: str, style: str, rest_of_line: str) -> str:
    """The value's translation as a scalar of the front matter, quotes included.

    An untranslated value is its source exactly; a translated one keeps its
    style where the style can hold it, else it is double-quoted.
    """
    coded = block.target
    if coded == block.source:
        quote = {"double": '"', "single": "'"}.get(style, "")
        return quote + block.render(target=False) + quote
    if style == "double":
        return _double_quoted(block, coded)
    value = _value(block, coded)
    if style == "single" and not _UNPRINTABLE.search(value) and (dialect == "yaml" or "'" not in value):
        return "'" + (value.replace("'", "''") if dialect == "yaml" else value) + "'"
    if style == "plain" and _plain_reads_back(value, rest_of_line):
        return value
    return '"' + "".join(_escape(char) for char in value) + '"'
