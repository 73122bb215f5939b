"""One Word paragraph (``w:p``) as coded text, and back.

Reading.  A paragraph's runs (``w:r``) are flattened into text.  The run
formatting (``w:rPr``, compared as canonical XML) that covers most of the text
is the paragraph's *base*; text in any other formatting is wrapped in an
OPEN/CLOSE pair whose key is that formatting, so bold, italic, colour, font or
highlight land on the translated words the way Markdown emphasis does.
Wrappers around runs (a ``w:hyperlink``, a tracked insertion, a content
control) are OPEN/CLOSE pairs too, and everything that is not text (a tab, a
break, a drawing or text box, a footnote reference, a bookmark, a comment mark,
a whole field with its instruction and result) is an ISOLATED code standing for
that very element.  Field results and instructions are never text.

Writing.  :func:`rebuild` re-creates the paragraph's runs from the coded
target: text goes into runs with the formatting of the innermost open span
(the base outside them), and every element a code stands for is moved, not
copied, to its new place, so a text box's paragraphs inside a moved drawing
stay the same objects and are rebuilt in turn.  Paragraph properties
(``w:pPr``) are never touched.

The same walk runs at write time on a fresh copy of the part (deterministic),
so a document can be written any number of times.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from copy import deepcopy
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from ..document import CODE_CHARS, CodeAllocator, CodeKind, InlineCode, is_code_char
from ..errors import MergeError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
W_P, W_R, W_T, W_RPR, W_PPR = f"{W}p", f"{W}r", f"{W}t", f"{W}rPr", f"{W}pPr"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

#: Elements around runs that become OPEN/CLOSE pairs; the value names the child holding the runs
#: ("" = the element itself; its ``...Pr`` property children stay put).
WRAPPERS = {
    f"{W}hyperlink": "",
    f"{W}ins": "",
    f"{W}moveTo": "",
    f"{W}smartTag": "",
    f"{W}customXml": "",
    f"{W}dir": "",
    f"{W}bdo": "",
    f"{W}sdt": f"{W}sdtContent",
}
#: Run content that stands for whitespace: a space is put after it in the coded text (see ``_spaced``).
BREAKS = {f"{W}tab", f"{W}br", f"{W}cr", f"{W}ptab"}
#: Names of run properties, for code names (QA, XLIFF): what a span changes.
_PROPERTY_NAMES = {
    "b": "bold", "bCs": "bold", "i": "italic", "iCs": "italic", "u": "underline", "color": "colour",
    "rFonts": "font", "highlight": "highlight", "shd": "shading", "sz": "size", "szCs": "size",
    "strike": "strike", "dstrike": "strike", "vertAlign": "position", "rStyle": "style", "caps": "caps",
    "smallCaps": "caps",
}  # fmt: skip
#: Characters XML 1.0 cannot hold; an engine could in theory produce them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def rpr_key(run: etree._Element) -> str:
    """Canonical XML of a run's properties ("" for none): equal keys, equal formatting."""
    rpr = run.find(W_RPR)
    if rpr is None:
        return ""
    canonical = etree.tostring(rpr, method="c14n", exclusive=True, with_tail=False)  # type: ignore[call-overload]
    return canonical.decode("utf-8")


def _prefixed(element: etree._Element, name: str) -> str:
    qname = etree.QName(name)
    if qname.namespace == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{qname.localname}"
    prefix = next((p for p, uri in element.nsmap.items() if uri == qname.namespace and p), None)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _shell(element: etree._Element, empty: bool = False) -> str:
    """An element's start tag with its attributes, e.g. ``<w:hyperlink r:id="rId5">``.

    A code's ``data`` is what ``translate segment`` and exports show; the DOCX
    writer puts back the elements themselves, so a drawing's whole XML need
    not be shown.
    """
    attributes = "".join(f' {_prefixed(element, str(k))}="{v}"' for k, v in element.attrib.items())
    return f"<{_prefixed(element, str(element.tag))}{attributes}{'/' if empty else ''}>"


@dataclass
class FieldState:
    """Complex fields (``w:fldChar`` begin ... end) may span paragraphs; their runs are never text."""

    depth: int = 0


@dataclass
class Piece:
    """What one code character stands for in one paragraph tree."""

    kind: str  # "format", "wrapper", "run_item" (inside a run), "item" (beside runs), "literal"
    element: etree._Element | None = None
    container: etree._Element | None = None  # a wrapper's run holder
    key: str = ""  # run formatting: a span's, or a run item's own
    origin: int = -1  # run items: which source run (its number) held it; they stay together
    before: str = ""  # tabs and breaks: the spaces the source has just before it
    after: str = ""  # ... and just after it (an indentation after a break)


@dataclass
class _Token:
    kind: str  # "text", "open", "close", "run_item", "item"
    text: str = ""
    key: str = ""
    element: etree._Element | None = None
    container: etree._Element | None = None
    origin: int = -1


@dataclass
class CodedParagraph:
    """A paragraph's coded text and, per code character, the element(s) it stands for."""

    coded: str
    codes: dict[str, InlineCode]
    pieces: dict[str, Piece]
    base: str  # the formatting of text outside any span
    templates: dict[str, etree._Element] = field(default_factory=dict)  # key -> a run with that rPr

    @property
    def has_text(self) -> bool:
        return any(not is_code_char(c) and not c.isspace() for c in self.coded)


def _tokens(element: etree._Element, state: FieldState, templates: dict[str, etree._Element],
            out: list[_Token], frozen: Collection[etree._Element]) -> None:
    for child in element:
        tag = child.tag
        if tag == W_PPR or not isinstance(tag, str):
            continue  # paragraph properties, comments and processing instructions stay where they are
        if tag == W_R and all(c.tag == W_RPR for c in child if isinstance(c.tag, str)):
            out.append(_Token("item", element=child))  # an empty run: kept as it is, where it is
        elif tag == W_R:
            _run_tokens(child, state, templates, out)
        elif tag in WRAPPERS:
            holder = child.find(WRAPPERS[tag]) if WRAPPERS[tag] else child
            if holder is None or child in frozen:  # a control left alone is one item, its text included
                out.append(_Token("item", element=child))
                continue
            out.append(_Token("open", element=child, container=holder))
            _tokens(holder, state, templates, out, frozen)
            out.append(_Token("close", element=child, container=holder))
        else:
            out.append(_Token("item", element=child))


def _run_tokens(run: etree._Element, state: FieldState, templates: dict[str, etree._Element],
                out: list[_Token]) -> None:
    key = rpr_key(run)
    templates.setdefault(key, run)
    origin = len(out)  # differs for every run that yields tokens: tells runs apart in the writer
    for child in run:
        if child.tag == W_RPR or not isinstance(child.tag, str):
            continue
        if child.tag == W_T and state.depth == 0 and len(child) == 0:  # (a w:t never holds elements)
            out.append(_Token("text", text=child.text or "", key=key))
            continue
        if child.tag == f"{W}fldChar":
            kind = child.get(f"{W}fldCharType")
            state.depth = state.depth + 1 if kind == "begin" else max(0, state.depth - (kind == "end"))
        out.append(_Token("run_item", key=key, element=child, origin=origin))


@lru_cache(maxsize=1024)
def _property_names(key: str, base: str) -> str:
    """``bold+italic``: the run properties a span's formatting has that the base lacks."""
    try:
        span = {etree.QName(e).localname: etree.tostring(e) for e in etree.fromstring(key)} if key else {}
        under = {etree.QName(e).localname: etree.tostring(e) for e in etree.fromstring(base)} if base else {}
    except etree.XMLSyntaxError:  # pragma: no cover - keys are our own canonical XML
        return "format"
    names = [_PROPERTY_NAMES.get(n, n) for n, xml in span.items() if under.get(n) != xml]
    names += [_PROPERTY_NAMES.get(n, n) for n in under if n not in span]
    return "+".join(dict.fromkeys(names)) or "format"


def code_paragraph(paragraph: etree._Element, state: FieldState,
                   frozen: Collection[etree._Element] = ()) -> CodedParagraph:
    """The coded text of ``paragraph``; raises ValueError past CODE_CAPACITY codes (left untranslated).

    ``frozen``: wrappers (content controls) whose content is never text: each is one ISOLATED code.
    """
    templates: dict[str, etree._Element] = {}
    tokens: list[_Token] = []
    _tokens(paragraph, state, templates, tokens, frozen)
    weight: dict[str, int] = {}
    for token in tokens:
        if token.kind == "text":
            weight[token.key] = weight.get(token.key, 0) + len(token.text.strip())
    base = max(weight, key=lambda k: weight[k]) if weight else ""  # first of equals: dicts keep order

    allocator = CodeAllocator()
    pieces: dict[str, Piece] = {}
    coded: list[str] = []
    span: tuple[str, str] | None = None  # (key, open char) of the open formatting span
    inserted: set[str] = set()  # tabs and breaks followed by a space that is not in the document

    def close_span() -> None:
        nonlocal span
        if span is not None:
            name = _property_names(span[0], base)
            char = allocator.code(CodeKind.CLOSE, f"</{name}>", name, pair=span[1])
            pieces[char] = Piece("format", key=span[0])
            coded.append(char)
            span = None

    for number, token in enumerate(tokens):
        if token.kind == "text":
            if token.key == base:
                close_span()
            elif span is None or span[0] != token.key:
                close_span()
                name = _property_names(token.key, base)
                char = allocator.code(CodeKind.OPEN, f"<{name}>", name)
                pieces[char] = Piece("format", key=token.key)
                coded.append(char)
                span = (token.key, char)
            before = len(allocator.codes)
            coded.append(allocator.text(token.text))
            for char in list(allocator.codes)[before:]:  # private-use characters in the text itself
                pieces[char] = Piece("literal")
        elif token.kind in ("open", "close"):
            close_span()
            assert token.element is not None
            name = local(token.element)
            if token.kind == "open":
                char = allocator.code(CodeKind.OPEN, _shell(token.element), name)
            else:
                tag = _prefixed(token.element, str(token.element.tag))
                char = allocator.code(CodeKind.CLOSE, f"</{tag}>", name, pair=_open_of(pieces, token))
            pieces[char] = Piece("wrapper", element=token.element, container=token.container)
            coded.append(char)
        else:
            assert token.element is not None
            char = allocator.code(CodeKind.ISOLATED, _shell(token.element, empty=True), local(token.element))
            pieces[char] = Piece(token.kind, element=token.element, key=token.key, origin=token.origin)
            coded.append(char)
            if char in _spaced(tokens, number, coded, pieces):
                coded.append(" ")
                inserted.add(char)
    close_span()
    text = "".join(coded)
    for position, char in enumerate(text):
        piece = pieces.get(char)
        if piece is not None and is_break(piece):
            piece.before = " " * _spaces(text, position - 1, -1)
            piece.after = " " * (_spaces(text, position + 1, 1) - (char in inserted))
    return CodedParagraph(text, allocator.codes, pieces, base, templates)


def _spaces(text: str, start: int, step: int) -> int:
    """How many spaces run from ``text[start]`` on, backwards (``step`` -1) or forwards."""
    count = 0
    while 0 <= start < len(text) and text[start] == " ":
        count, start = count + 1, start + step
    return count


def is_break(piece: Piece) -> bool:
    return piece.element is not None and piece.element.tag in BREAKS


def _spaced(tokens: list[_Token], number: int, coded: list[str], pieces: dict[str, Piece]) -> str:
    """The code just emitted, if it is a tab or break between two words: then a space follows it.

    A model never sees codes, so ``Jakarta<w:br/>Senin`` would reach it as one
    word ``JakartaSenin``, and the segmenter could not split there.  The space
    is not in the document: the writer gives each tab and break the spaces the
    source had beside it (``Piece.before``/``after``), whatever the model put there.
    """
    char = coded[-1]
    if not is_break(pieces[char]):
        return ""
    before = next((plain[-1] for plain in (CODE_CHARS.sub("", chunk) for chunk in reversed(coded[:-1]))
                   if plain), "")
    following = next((t.text for t in tokens[number + 1 :] if t.kind == "text" and t.text), "")
    if before and not before.isspace() and following and not following[0].isspace():
        return char
    return ""


def _open_of(pieces: dict[str, Piece], token: _Token) -> str:
    """The OPEN code of the wrapper ``token`` closes (the last one opened on that element)."""
    for char in reversed(list(pieces)):
        piece = pieces[char]
        if piece.kind == "wrapper" and piece.element is token.element:
            return char
    raise AssertionError("close without open")  # pragma: no cover - tokens are balanced


class _Builder:
    """Appends runs, text and moved elements to the paragraph, following the coded target."""

    def __init__(self, paragraph: etree._Element, coded: CodedParagraph) -> None:
        self.coded = coded
        self.containers = [paragraph]
        self.formats: list[str] = []
        self.run: etree._Element | None = None
        self.run_origin = -1  # the source run whose items the current run holds; -1: a text run
        self.buffer: list[str] = []
        self.filled: list[bool] = []  # per open span: whether text was written in its formatting
        self.text_keys: set[str] = set()  # formattings that received text
        self.after_break = False  # the spaces that follow a tab or break are the source's
        self.spaces_after = ""  # ... these

    @property
    def key(self) -> str:
        return self.formats[-1] if self.formats else self.coded.base

    def _new_run(self, key: str, origin: int = -1) -> etree._Element:
        template = self.coded.templates.get(key)
        attributes = dict(template.attrib) if template is not None else {}
        run = etree.SubElement(self.containers[-1], W_R, attributes)
        rpr = template.find(W_RPR) if template is not None else None
        if rpr is not None:
            run.append(deepcopy(rpr))
            run[-1].tail = None
        self.run, self.run_origin = run, origin
        return run

    def _current_run(self, key: str, origin: int = -1) -> etree._Element:
        """The run being filled if it has this formatting and origin, else a new one.

        Text shares runs with text; a run item shares a run only with items of
        its own source run, so a field's begin/instruction/result/end runs stay
        as Word wrote them.
        """
        container = self.containers[-1]
        run = self.run
        if run is not None and self.run_origin == origin and len(container) and container[-1] is run \
                and rpr_key(run) == key:
            return run
        return self._new_run(key, origin)

    def flush(self, end: bool = False) -> None:
        """Write the buffered text; ``end``: the paragraph ends (spaces after a last break are written)."""
        text = _XML_INVALID.sub("", "".join(self.buffer))
        self.buffer.clear()
        if self.after_break:
            text = text.lstrip(" ")
            if text or end:
                text, self.after_break = self.spaces_after + text, False
        if not text:
            return
        run = self._current_run(self.key)
        self.text_keys.add(self.key)
        if self.filled:
            self.filled[-1] = True
        last = run[-1] if len(run) else None
        if last is not None and last.tag == W_T:
            last.text = (last.text or "") + text
        else:
            last = etree.SubElement(run, W_T)
            last.text = text
        if last.text != last.text.strip():
            last.set(XML_SPACE, "preserve")

    def place(self, char: str, piece: Piece) -> None:
        if piece.kind == "literal":  # a private-use character of the text itself
            self.buffer.append(self.coded.codes[char].data)
            return
        if is_break(piece):
            self.buffer = ["".join(self.buffer).rstrip(" ") + piece.before]
        self.flush()
        if is_break(piece):
            self.after_break, self.spaces_after = True, piece.after
        if piece.kind == "run_item":
            assert piece.element is not None
            self._current_run(piece.key, piece.origin).append(piece.element)
        elif piece.kind == "item":
            assert piece.element is not None
            self.containers[-1].append(piece.element)
            self.run = None

    def open_format(self, key: str) -> None:
        self.flush()
        self.formats.append(key)
        self.filled.append(False)

    def close_format(self) -> None:
        """End the innermost span; one that got no text (emptied, or only holding other spans)
        keeps its formatting on record as an empty run."""
        self.flush()
        if not self.filled.pop():
            self._new_run(self.key)
            self.text_keys.add(self.key)
        self.formats.pop()

    def open_wrapper(self, piece: Piece) -> None:
        self.flush()
        assert piece.element is not None and piece.container is not None
        self.containers[-1].append(piece.element)
        self.containers.append(piece.container)
        self.run = None

    def close_wrapper(self) -> None:
        self.flush()
        self.containers.pop()
        self.run = None


def _detach_content(paragraph: etree._Element, coded: CodedParagraph) -> None:
    """Empty the paragraph (``w:pPr`` stays) and every wrapper's run holder (``...Pr`` children stay)."""
    holders = [paragraph]
    holders += [p.container for p in coded.pieces.values() if p.kind == "wrapper" and p.container is not None]
    for holder in holders:
        for child in list(holder):
            if child.tag == W_PPR or (isinstance(child.tag, str) and local(child).endswith("Pr")
                                      and holder is not paragraph):
                continue
            if not isinstance(child.tag, str) and holder is paragraph:
                continue  # XML comments and processing instructions stay
            holder.remove(child)


def check_target(coded: CodedParagraph, target: str, added: dict[str, InlineCode], where: str) -> None:
    """The target holds each paragraph code exactly once, OPENs before CLOSEs, properly nested.

    ``added`` are ISOLATED codes put in after reading (a localized quantity):
    they are written as their ``data``, as text.
    """
    source_codes = sorted(c for c in coded.coded if is_code_char(c))
    target_codes = [c for c in target if is_code_char(c) and c not in added]
    if sorted(target_codes) != source_codes:
        raise MergeError("the translation lost, added or repeated inline codes", where=where,
                         hint="every run, link and field of the source must appear exactly once")
    stack: list[str] = []
    for char in target_codes:
        code = coded.codes[char]
        if code.kind is CodeKind.OPEN:
            stack.append(char)
        elif code.kind is CodeKind.CLOSE:
            if not stack or stack[-1] != code.pair:
                raise MergeError("inline codes cross or close before they open", where=where)
            stack.pop()


def rebuild(paragraph: etree._Element, coded: CodedParagraph, target: str, block_codes: dict[str, InlineCode],
            where: str) -> None:
    """Replace the paragraph's runs with the coded ``target`` (checked first: nothing is half-written).

    ``block_codes`` is the block's code table: codes other than the
    paragraph's own were added after reading and must be ISOLATED.
    """
    added = {c: code for c, code in block_codes.items() if c not in coded.pieces}
    if any(code.kind is not CodeKind.ISOLATED for code in added.values()):
        raise MergeError("only isolated codes can be added to a Word paragraph", where=where)
    check_target(coded, target, added, where)
    _detach_content(paragraph, coded)
    builder = _Builder(paragraph, coded)
    for char in target:
        piece = coded.pieces.get(char) if is_code_char(char) else None
        if piece is None:
            builder.buffer.append(added[char].data if char in added else char)
        elif piece.kind == "format":
            if coded.codes[char].kind is CodeKind.OPEN:
                builder.open_format(piece.key)
            else:
                builder.close_format()
        elif piece.kind == "wrapper":
            if coded.codes[char].kind is CodeKind.OPEN:
                builder.open_wrapper(piece)
            else:
                builder.close_wrapper()
        else:
            builder.place(char, piece)
    builder.flush(end=True)
    if coded.base not in builder.text_keys and coded.has_text:  # keep the base formatting on record too
        builder.containers = builder.containers[:1]
        builder._new_run(coded.base)
