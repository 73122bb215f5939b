"""Word documents (.docx): every paragraph of the body, tables, headers, footers, notes and text boxes.

The model.  A .docx is a zip of XML parts (checked and read by
:mod:`translate.formats.docx_package`).  The *story* parts are translated: the
main document, every header and footer, the footnotes and the endnotes, found
by their content types.  Every ``w:p`` in them that holds text is one block,
whether it sits in the body, a table cell (nested tables too) or a text box
(``w:txbxContent``); :mod:`translate.formats.docx_paragraph` turns it into coded
text (run formatting, hyperlinks, fields, drawings, bookmarks as codes) and back.
Comments, styles, numbering, settings, images and relationships are never read
as text and never rewritten: their members are copied as they are.

There is no skeleton string here: a :class:`DocxDocument`'s parts are only its
blocks, and it keeps the checked package and each block's place (part and
paragraph number in document order) to write back.  Writing copies every
part in which no block changed (so ``--engine copy`` returns the very input
bytes), re-serialises only the parts with a changed paragraph, and in those
rebuilds only the changed paragraphs.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree

from ..document import Block, Document, make_block
from ..errors import InputError, MergeError
from .docx_binding import W_SDT, Bindings, sdts
from .docx_package import DocxPackage, StoryPart, serialise, xml_parser
from .docx_paragraph import W_NS, W_P, W_R, W_RPR, W_T, FieldState, W, code_paragraph, local, rebuild, rpr_key

_HEADING_STYLE = re.compile(r"^(?:heading|title|subtitle|judul)", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list", re.IGNORECASE)
#: Block kind of every paragraph of a part, by the part's role (the main document decides per paragraph).
_ROLE_KINDS = {"header": "header", "footer": "footer", "footnotes": "footnote", "endnotes": "endnote"}


@dataclass(frozen=True)
class Place:
    """Where a block's paragraph is: its part and its number among the part's ``w:p`` in document order.

    ``source`` is the paragraph's coded text as read: a block is written back
    when its target differs from it (a localized quantity changes a block even
    when the engine copied it), and the writer checks that it still matches.
    """

    member: str
    paragraph: int
    source: str


@dataclass
class DocxDocument(Document):
    """A Document whose blocks are Word paragraphs, with the package they are written back into."""

    package: DocxPackage | None = field(default=None, repr=False)
    roots: dict[str, etree._Element] = field(default_factory=dict, repr=False)
    places: list[Place] = field(default_factory=list, repr=False)
    bindings: Bindings | None = field(default=None, repr=False)  # content controls bound to stored data
    members: list[str] = field(default_factory=list)  # the story parts read, in reading order
    untranslated_paragraphs: int = 0  # paragraphs with too many codes, left as they are

    def __getstate__(self) -> dict:
        """Picklable (a worker process may get one): lxml trees travel as their part names."""
        state = dict(self.__dict__)
        state["roots"] = list(self.roots)
        return state

    def __setstate__(self, state: dict) -> None:
        """The roots parsed again from the package: reading never changes them."""
        members = state.pop("roots")
        self.__dict__.update(state)
        assert self.package is not None
        self.roots = {member: self.package.parse(member) for member in members}


def block_kind(paragraph: etree._Element, role: str) -> str:
    """``heading``, ``table_cell``, ``textbox``, ``list_item``, ``paragraph``; or the part's role."""
    if role in _ROLE_KINDS:
        return _ROLE_KINDS[role]
    ancestors = {local(a) for a in paragraph.iterancestors()}
    if "txbxContent" in ancestors:
        return "textbox"
    if "tc" in ancestors:
        return "table_cell"
    style_element = paragraph.find(f"{W}pPr/{W}pStyle")
    style = style_element.get(f"{W}val", "") if style_element is not None else ""
    if _HEADING_STYLE.match(style) or paragraph.find(f"{W}pPr/{W}outlineLvl") is not None:
        return "heading"
    if _LIST_STYLE.match(style) or paragraph.find(f"{W}pPr/{W}numPr") is not None:
        return "list_item"
    return "paragraph"


def _paragraphs(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(W_P))


def _frozen(root: etree._Element, indices: set[int]) -> frozenset[etree._Element]:
    """The content controls of ``root`` left alone, by their indices (named before anything moves)."""
    controls = sdts(root)
    return frozenset(controls[index] for index in indices if index < len(controls))


def _inside(paragraph: etree._Element, frozen: frozenset[etree._Element]) -> bool:
    return bool(frozen) and any(control in frozen for control in paragraph.iterancestors(W_SDT))


class DocxFormat:
    name = "docx"

    def read(self, data: bytes, name: str) -> Document:
        package = DocxPackage.open(data, name)
        bindings = Bindings(package)
        document = DocxDocument(name=name, format=self.name, package=package, bindings=bindings)
        skipped = 0
        stories: list[StoryPart] = package.story_parts()
        for story in stories:
            root = package.parse(story.member)
            if etree.QName(root).namespace != W_NS:
                raise InputError("is not a WordprocessingML part (Strict Open XML is not supported)",
                                 path=name, where=f"member {story.member}",
                                 hint="save it from Word as a plain Word Document (.docx)")
            document.roots[story.member] = root
            bindings.read(story.member, root)
            frozen = _frozen(root, bindings.frozen.get(story.member, set()))
            state = FieldState()
            for number, paragraph in enumerate(_paragraphs(root)):
                try:
                    coded = code_paragraph(paragraph, state, frozen)
                except ValueError:  # over CODE_CAPACITY codes in one paragraph: left as it is, and reported
                    skipped += 1
                    document.untranslated.append(f"{story.member} paragraph {number + 1}")
                    continue
                if not coded.has_text or _inside(paragraph, frozen):
                    continue
                block = make_block(len(document.places), block_kind(paragraph, story.role), coded.coded,
                                   coded.codes)
                document.parts.append(block)
                document.places.append(Place(story.member, number, coded.coded))
        document.members = [story.member for story in stories]
        document.untranslated_paragraphs = skipped
        if bindings.left_alone():
            document.warnings.append(bindings.left_alone())
        return document

    def write(self, document: Document) -> bytes:
        if not isinstance(document, DocxDocument) or document.package is None:
            raise MergeError("a DOCX can only be written from a document read by the DOCX format",
                             path=document.name)
        changed: dict[str, dict[int, Block]] = {}
        for block, place in zip(document.blocks, document.places, strict=True):
            if block.target != place.source:
                changed.setdefault(place.member, {})[place.paragraph] = block
        roots = {member: self._write_part(document, member, blocks) for member, blocks in changed.items()}
        replaced = {member: serialise(root, document.roots[member]) for member, root in roots.items()}
        if document.bindings is not None:
            replaced.update(_stored_values(document.bindings, roots))
        return document.package.rewrite(replaced)

    @staticmethod
    def _write_part(document: DocxDocument, member: str, blocks: dict[int, Block]) -> etree._Element:
        """A copy of the part's root with the changed paragraphs rebuilt."""
        original = document.roots[member]
        sources = {place.paragraph: place.source for place in document.places if place.member == member}
        root = deepcopy(original)
        left_alone = document.bindings.frozen.get(member, set()) if document.bindings else set()
        frozen = _frozen(root, left_alone)
        state = FieldState()
        for number, paragraph in enumerate(_paragraphs(root)):  # listed before any change
            try:
                coded = code_paragraph(paragraph, state, frozen)
            except ValueError:
                continue
            block = blocks.get(number)
            if block is None:
                continue
            where = f"member {member}, block {block.index}"
            if coded.coded != sources[number]:  # pragma: no cover - the walk is deterministic
                raise MergeError("internal error: the paragraph reads differently the second time",
                                 path=document.name, where=where)
            rebuild(paragraph, coded, block.target, block.codes, f"{document.name}: {where}")
        return root


def _stored_values(bindings: Bindings, roots: dict[str, etree._Element]) -> dict[str, bytes]:
    """The data store parts with the new text of the translated bound controls of the rewritten parts."""
    stores: dict[str, etree._Element] = {}
    for member, root in roots.items():
        for bound, text in bindings.stored_values(member, root):
            store = stores.setdefault(bound.store, deepcopy(bindings.store_root(bound.store)))
            [node] = store.xpath(bound.xpath, namespaces=dict(bound.namespaces))
            node.text = text
    return {member: serialise(root, bindings.store_root(member)) for member, root in stores.items()}


def structure(data: bytes, name: str = "structure") -> list[tuple]:
    """What translation must not change, per story paragraph, plus every other part's canonical XML.

    For each paragraph: its place in the container tree (body, table, row, cell,
    text box...), its properties, the set of run formattings that hold text
    (or an emptied span), and every non-text element (hyperlinks with their
    ``r:id``, fields, drawings, bookmarks, breaks) by name and attributes.
    Order within a paragraph and run boundaries may change in translation;
    nothing else may.
    """
    document = DocxFormat().read(data, name)
    assert isinstance(document, DocxDocument) and document.package is not None
    shape: list[tuple] = []
    for member, root in document.roots.items():
        state = FieldState()
        for paragraph in _paragraphs(root):
            path = "/".join(local(a) for a in reversed(list(paragraph.iterancestors())))
            ppr = paragraph.find(f"{W}pPr")
            ppr_xml = etree.tostring(ppr, method="c14n", exclusive=True) if ppr is not None else b""
            try:
                coded = code_paragraph(paragraph, state)
            except ValueError:
                shape.append((member, path, ppr_xml, "too many codes"))
                continue
            own_runs = [r for r in paragraph.iter(W_R) if next(r.iterancestors(W_P)) is paragraph]
            formats = {rpr_key(r) for r in own_runs
                       if r.find(W_T) is not None or all(c.tag == W_RPR for c in r)}
            elements = {id(p.element): p.element for p in coded.pieces.values()
                        if p.element is not None and p.element.tag != W_R}  # empty runs count as formats
            signatures = sorted((local(e), tuple(sorted(e.attrib.items()))) for e in elements.values())
            shape.append((member, path, ppr_xml, tuple(sorted(formats)), tuple(signatures)))
    package = document.package
    for info in package.members:
        if info.filename not in document.roots:
            shape.append((info.filename, _canonical(package.read(info.filename))))
    return shape


def _canonical(raw: bytes) -> bytes:
    """C14N of an XML member; other members (images) as they are."""
    try:
        return etree.tostring(etree.fromstring(raw, xml_parser()), method="c14n")
    except etree.XMLSyntaxError:
        return raw
