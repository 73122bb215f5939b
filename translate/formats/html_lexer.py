"""A lenient HTML tokenizer that records the exact source offsets of every token.

Why hand-written: the HTML reader splices translations into the original text,
so it needs the start and end offset of every tag, comment, doctype and text
run, and of every attribute value inside a tag.  No maintained parser gives
that while tolerating malformed markup: lxml and html5lib build trees (a line
number at best), and the standard library's ``html.parser`` reports line/column
positions only for some events, with rules that change between Python
versions.  So this module follows the WHATWG tokenizer for the states that
decide where tokens start and end -- tag open, end tag open, tag and attribute
names (only space, tab, LF, CR and FF separate: a no-break space or ``\v`` is
part of a name or value), attribute values (quoted values may hold ``>``),
markup declarations, comments (``-->``, ``--!>``, the abrupt ``<!-->``), bogus
comments (``<?...>``, ``</ 1>``, ``<![endif]>``), CDATA sections in SVG/MathML,
the RAWTEXT, RCDATA and PLAINTEXT contents, and script data with its escaped
and double-escaped states -- and nothing more: no entity decoding (the reader
decodes text itself).

Whether a ``<title>`` or ``<style>`` switches the tokenizer to RCDATA/RAWTEXT
depends on the tree (not inside ``<svg>``), so the lexer keeps the stack of
open elements of :mod:`.html_tree`, which also tells where every element ends.

The tokens cover the input without gaps or overlaps, so joining their source
slices gives the input back exactly; a tag cut off by the end of the file is
a ``bogus`` token, never an error.  All of it runs in linear time.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .html_tree import FORMATTING, OpenElements


class TokenKind(str, enum.Enum):
    TEXT = "text"  # character data (``raw`` text for script/style contents)
    START = "start"  # <name ...>
    END = "end"  # </name ...>
    COMMENT = "comment"  # <!-- ... --> (conditional comments included)
    DECLARATION = "declaration"  # <!DOCTYPE ...>
    BOGUS = "bogus"  # <?...>, <!...>, </ ...>, a tag cut off by the end of the file
    CDATA = "cdata"  # <![CDATA[ ... ]]> in SVG or MathML (elsewhere a bogus comment)


@dataclass(frozen=True)
class Attribute:
    """One attribute of a tag; ``start:end`` is its value's extent in the document (quotes excluded)."""

    name: str  # lower-cased
    value: str | None  # the raw value as written (entities not decoded); None when there is none
    start: int = 0
    end: int = 0
    quote: str = ""  # '"', "'" or "" for an unquoted value


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    start: int
    end: int
    name: str = ""  # lower-cased tag name for START/END
    attributes: tuple[Attribute, ...] = ()
    self_closing: bool = False
    raw: bool = False  # TEXT of a raw-text element (script, style...): never markup, never decoded

    def attribute(self, name: str) -> Attribute | None:
        """The first attribute called ``name`` (HTML ignores later duplicates)."""
        return next((a for a in self.attributes if a.name == name), None)


_WHITESPACE = " \t\n\r\f"  # HTML's; U+00A0, U+3000, \v... belong to names and values
_SEPARATORS = _WHITESPACE + "/"  # a "/" not before ">" is ignored between attributes
_TAG_NAME = re.compile(r"[^ \t\n\r\f/>]*")
_ATTR_NAME = re.compile(r"[^ \t\n\r\f/>][^ \t\n\r\f/>=]*")
_UNQUOTED = re.compile(r"[^ \t\n\r\f>]+")
_SPACE = re.compile(r"[ \t\n\r\f]*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # "\u212a" is no "k"
_END_TAG_AFTER = "(?=[ \t\n\r\f/>])"  # an end tag's name ends at a separator; "</scripty" is text


@dataclass
class Lexed:
    """The tokens of a page, and where the elements they open end (see :mod:`.html_tree`)."""

    tokens: list[Token]
    #: start tag index -> index of the last token inside its element (its end tag, or what precedes
    #: the token that closed it); elements without content (void, ``<svg/>``) are not in it
    last: dict[int, int]
    #: text tokens a browser puts in a protected formatting element or a reopened copy of one
    protected: set[int]
    #: tokens after which text would make a browser reopen formatting elements, or be protected
    no_text_after: set[int]
    #: start tags before which text would make a browser reopen formatting elements the tag does not
    no_text_before: set[int]


def lex(text: str, protects: Callable[[Token], bool] | None = None) -> Lexed:
    """Every token of ``text`` in order (together they cover ``text`` exactly) and the element extents.

    ``protects`` says which start tags open elements whose text is kept as it
    is (see :class:`~.html_tree.OpenElements` for why the tree needs to know).
    """
    tokens: list[Token] = []
    tree = OpenElements()
    pos, size = 0, len(text)
    text_start = 0
    while pos < size:
        lt = text.find("<", pos)
        if lt < 0:
            break
        token = _markup(text, lt, tree.in_foreign())
        if token is None:  # a "<" that opens nothing is text
            pos = lt + 1
            continue
        if lt > text_start:
            tree.text(len(tokens))
            tree.after(len(tokens))
            tokens.append(Token(TokenKind.TEXT, text_start, lt))
        index = len(tokens)
        tokens.append(token)
        pos = text_start = token.end
        state = None
        if token.kind is TokenKind.START:
            attributes = {a.name: a.value for a in reversed(token.attributes)}  # the first one counts
            protected = protects is not None and token.name in FORMATTING and protects(token)
            state = tree.start(token.name, attributes, token.self_closing, index, protected)
        elif token.kind is TokenKind.END:
            tree.end(token.name, index)
        tree.after(index)
        if state is not None:
            end = _content_end(text, token.end, token.name, state)
            if end > token.end:
                tree.text(len(tokens), content=True)
                tree.after(len(tokens))
                tokens.append(Token(TokenKind.TEXT, token.end, end, raw=state != "rcdata"))
            pos = text_start = end
    if text_start < size:
        tree.text(len(tokens))
        tree.after(len(tokens))
        tokens.append(Token(TokenKind.TEXT, text_start, size))
    tree.finish(len(tokens) - 1)
    return Lexed(tokens, tree.last, tree.protected, tree.no_text_after, tree.no_text_before)


def tokenize(text: str) -> list[Token]:
    """Every token of ``text`` in order; together they cover ``text`` exactly."""
    return lex(text).tokens


@functools.cache
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(f"</{re.escape(name)}{_END_TAG_AFTER}", re.IGNORECASE)


#: Script data (WHATWG 13.2.5.4-13.2.5.31): "<!--" escapes, "<script" inside an escape double-escapes
#: (a "</script>" there does not end the element), "-->" ends either, and "</script" ends a double escape.
_SCRIPT_STATES = {
    "data": re.compile(rf"(?P<end></script{_END_TAG_AFTER})|(?P<escaped><!--)", re.IGNORECASE),
    "escaped": re.compile(
        rf"(?P<end></script{_END_TAG_AFTER})|(?P<data>-->)|(?P<double><script[ \t\n\r\f/>])", re.IGNORECASE),
    "double": re.compile(r"(?P<data>-->)|(?P<escaped></script[ \t\n\r\f/>])", re.IGNORECASE),
}


def _content_end(text: str, pos: int, name: str, state: str) -> int:
    """Where the text content of a raw-text, RCDATA or script element that starts at ``pos`` ends."""
    if state == "plaintext":
        return len(text)
    if state != "script":
        match = _end_tag(name).search(text, pos)
        return match.start() if match else len(text)
    current = "data"
    while True:
        match = _SCRIPT_STATES[current].search(text, pos)
        if match is None:
            return len(text)
        if match.lastgroup == "end":
            return match.start()
        # "<!--" leaves the escape start in its dashes: "<!-->" opens and closes it at once
        pos = match.start() + 2 if current == "data" else match.end()
        assert match.lastgroup is not None  # every alternative of the state patterns is a named group
        current = match.lastgroup


def _markup(text: str, lt: int, foreign: bool = False) -> Token | None:
    """The token starting with the ``<`` at ``lt``, or None when that ``<`` is plain text.

    ``foreign``: the current node is an SVG or MathML element, where ``<![CDATA[`` opens a CDATA section.
    """
    size = len(text)
    nxt = text[lt + 1] if lt + 1 < size else ""
    if nxt.isascii() and nxt.isalpha():
        return _tag(text, lt, TokenKind.START)
    if nxt == "/":
        after = text[lt + 2] if lt + 2 < size else ""
        if after.isascii() and after.isalpha():
            return _tag(text, lt, TokenKind.END)
        if after == ">":
            return Token(TokenKind.BOGUS, lt, lt + 3)
        if after == "":
            return None  # "</" at the end of the file is text
        return _until_gt(text, lt, TokenKind.BOGUS)
    if nxt == "!":
        if text.startswith("<!--", lt):
            return _comment(text, lt)
        if text[lt + 2 : lt + 9].lower() == "doctype":
            return _until_gt(text, lt, TokenKind.DECLARATION)
        if foreign and text.startswith("[CDATA[", lt + 2):
            close = text.find("]]>", lt + 9)
            return Token(TokenKind.CDATA, lt, len(text) if close < 0 else close + 3)
        return _until_gt(text, lt, TokenKind.BOGUS)
    if nxt == "?":
        return _until_gt(text, lt, TokenKind.BOGUS)
    return None


def _until_gt(text: str, lt: int, kind: TokenKind) -> Token:
    gt = text.find(">", lt + 1)
    return Token(kind, lt, len(text) if gt < 0 else gt + 1)


def _comment(text: str, lt: int) -> Token:
    body = lt + 4
    for abrupt in (">", "->"):  # <!--> and <!---> end at once
        if text.startswith(abrupt, body):
            return Token(TokenKind.COMMENT, lt, body + len(abrupt))
    ends = [i for i in (text.find("-->", body), text.find("--!>", body)) if i >= 0]
    if not ends:
        return Token(TokenKind.COMMENT, lt, len(text))
    end = min(ends)
    return Token(TokenKind.COMMENT, lt, end + (3 if text.startswith("-->", end) else 4))


def _match_end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a pattern that always matches (it may match nothing: ``[^...]*``) ends at ``pos``."""
    match = pattern.match(text, pos)
    assert match is not None, pattern.pattern
    return match.end()


def _tag(text: str, lt: int, kind: TokenKind) -> Token:
    """A start or end tag with its attributes; cut off by the end of the file it is BOGUS."""
    size = len(text)
    name_start = lt + (1 if kind is TokenKind.START else 2)
    name_end = _match_end(_TAG_NAME, text, name_start)
    name = text[name_start:name_end].translate(_ASCII_LOWER)
    attributes: list[Attribute] = []
    pos = name_end
    while True:
        while pos < size and text[pos] in _SEPARATORS and not text.startswith("/>", pos):
            pos += 1
        if pos >= size:
            return Token(TokenKind.BOGUS, lt, size)
        if text.startswith("/>", pos):
            return Token(kind, lt, pos + 2, name, tuple(attributes), True)
        if text[pos] == ">":
            return Token(kind, lt, pos + 1, name, tuple(attributes))
        attr_end = _match_end(_ATTR_NAME, text, pos)
        attr_name = text[pos:attr_end].translate(_ASCII_LOWER)
        pos = _match_end(_SPACE, text, attr_end)
        if pos >= size or text[pos] != "=":
            attributes.append(Attribute(attr_name, None, pos, pos))
            continue
        pos = _match_end(_SPACE, text, pos + 1)
        if pos >= size:
            return Token(TokenKind.BOGUS, lt, size)
        quote = text[pos]
        if quote in "\"'":
            close = text.find(quote, pos + 1)
            if close < 0:
                return Token(TokenKind.BOGUS, lt, size)
            attributes.append(Attribute(attr_name, text[pos + 1 : close], pos + 1, close, quote))
            pos = close + 1
        elif quote == ">":
            attributes.append(Attribute(attr_name, "", pos, pos))
        else:
            end = _match_end(_UNQUOTED, text, pos)
            attributes.append(Attribute(attr_name, text[pos:end], pos, end))
            pos = end
