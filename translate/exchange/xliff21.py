"""XLIFF 2.1 (core, plus the translation candidates module for matches).

One ``<unit>`` per segment (id ``block.index``) with one ``<segment>``.  The
original markup is carried as XLIFF 2 intends, in ``<originalData>``: ``<pc>``
(a span in the unit) with ``dataRefStart``/``dataRefEnd``, ``<sc/>``/``<ec/>``
``isolated="yes"`` (half of a span crossing a sentence boundary) and ``<ph/>``
(standalone) with ``dataRef``; codes are ``canDelete="no" canCopy="no"`` and may
move.  Machine output is ``state="initial"`` (``subState="translate:mt"``) and an
``<mtc:match type="mt">``; fuzzy memory matches are ``<mtc:match type="tm">`` with
``similarity``.  The engine's confidence (0-1) is the MT match's ``matchQuality``
(0-100, the module's measure of the quality of a match's target, where ``similarity``
compares sources), and a note as in XLIFF 1.2.  Notes carry glossary terms,
quantities, the confidence and QA findings; the file's notes record the
original's path and SHA-256.  Written to validate against the
OASIS XLIFF 2 core schema (the 2.1 core schema is the 2.0 one; ``version="2.1"``).
"""

from __future__ import annotations

from lxml import etree

from .model import CLOSE, ISOLATED, OPEN, START, Alternative, Bundle, Content, Tag, TagInfo, Unit
from .xmlcommon import (
    bundle_from_meta,
    check_content,
    export_file,
    indent,
    meta_items,
    read_unit,
    serialize,
    sub,
    write_content,
)
from .xmlcommon import read_content as read_xml_content

NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"
#: Unit origin -> segment state and subState.
STATES = {
    "mt": ("initial", "translate:mt"),
    "tm-mt": ("initial", "translate:tm-mt"),
    "tm": ("translated", "translate:tm-exact"),
    "copied": ("final", "translate:copied"),
}
_TYPES = {"link": "link", "a": "link", "image": "image", "img": "image"}
_LEAVES = frozenset({"source", "target", "note", "data"})
SEGMENT_ID = "s1"


class Xliff21:
    name = "xliff2"
    extension = ".xlf"

    def write(self, bundle: Bundle) -> bytes:
        root = etree.Element(
            f"{{{NS}}}xliff",
            nsmap={None: NS, "mtc": MTC},
            version="2.1",
            srcLang=bundle.source_lang,
            trgLang=bundle.target_lang,
        )
        file = sub(root, f"{{{NS}}}file", id="f1", original=bundle.original or bundle.path)
        sub(file, f"{{{NS}}}skeleton", href=bundle.path or bundle.original)
        notes = sub(file, f"{{{NS}}}notes")
        for key, value in meta_items(bundle):
            sub(notes, f"{{{NS}}}note", value, category=key)
        for unit in bundle.units:
            self._unit(file, unit, bundle)
        indent(root, _LEAVES)
        return serialize(root, bundle.original)

    def _unit(self, file: etree._Element, unit: Unit, bundle: Bundle) -> None:
        element = sub(file, f"{{{NS}}}unit", id=unit.id, translate=None if unit.translate else "no")
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        if unit.alternatives:
            matches = sub(element, f"{{{MTC}}}matches")
            for number, alternative in enumerate(unit.alternatives, 1):
                self._match(matches, alternative, number, unit.id, bundle)
        if unit.notes:
            notes = sub(element, f"{{{NS}}}notes")
            for category, text in unit.notes:
                sub(notes, f"{{{NS}}}note", text, category=category, appliesTo="source")
        data_ids = _write_data(element, unit.tags)
        state, sub_state = STATES.get(unit.origin, (None, None))
        segment = sub(
            element,
            f"{{{NS}}}segment",
            id=SEGMENT_ID,
            state=state if unit.target is not None else None,
            subState=sub_state if unit.target is not None else None,
        )
        self._content(sub(segment, f"{{{NS}}}source"), unit.source, unit.tags, data_ids, unit.id, bundle)
        if unit.target is not None:
            self._content(sub(segment, f"{{{NS}}}target"), unit.target, unit.tags, data_ids, unit.id, bundle)

    def _match(
        self, parent: etree._Element, alternative: Alternative, number: int, unit_id: str, bundle: Bundle
    ) -> None:
        mt = alternative.kind == "mt"
        attrs = {
            "id": f"m{number}",
            "ref": f"#{SEGMENT_ID}",
            "type": "mt" if mt else "tm",
            "origin": alternative.origin,
        }
        if alternative.similarity is not None:
            attrs["similarity"] = f"{alternative.similarity:.1f}"
        if alternative.confidence is not None:
            attrs["matchQuality"] = f"{alternative.confidence * 100:.1f}"
        match = sub(parent, f"{{{MTC}}}match", **attrs)
        data_ids = _write_data(match, alternative.tags, prefix=f"m{number}d")
        self._content(
            sub(match, f"{{{NS}}}source"), alternative.source, alternative.tags, data_ids, unit_id, bundle
        )
        self._content(
            sub(match, f"{{{NS}}}target"), alternative.target, alternative.tags, data_ids, unit_id, bundle
        )

    def _content(
        self,
        parent: etree._Element,
        content: Content,
        tags: dict[str, TagInfo],
        data_ids: dict[str, tuple[str, str]],
        unit_id: str,
        bundle: Bundle,
    ) -> None:
        check_content(content, unit_id, bundle.original)

        def element_for(where: etree._Element, tag: Tag) -> etree._Element:
            info = tags[tag.id]
            start, end = data_ids[tag.id]
            kind = _TYPES.get(info.name, "other" if info.name == "literal" else "fmt")
            common = {"id": tag.id, "canCopy": "no", "canDelete": "no", "type": kind}
            if tag.role == START:
                return sub(where, f"{{{NS}}}pc", dataRefStart=start, dataRefEnd=end, **common)
            if tag.role == ISOLATED:
                return sub(where, f"{{{NS}}}ph", dataRef=start, **common)
            name = "sc" if tag.role == OPEN else "ec"
            return sub(where, f"{{{NS}}}{name}", dataRef=start, isolated="yes", **common)

        write_content(parent, content, element_for)

    # -- reading ---------------------------------------------------------------------

    def read(self, data: bytes, name: str) -> Bundle:
        root, file = export_file(data, name, NS, "XLIFF 2")
        meta = {n.get("category", ""): n.text or "" for n in file.iterfind(f"{{{NS}}}notes/{{{NS}}}note")}
        bundle = bundle_from_meta(meta, root.get("srcLang", ""), root.get("trgLang", ""), name)
        for element in file.iter(f"{{{NS}}}unit"):
            bundle.units.append(self._read_unit(element))
        return bundle

    def _read_unit(self, element: etree._Element) -> Unit:
        unit = read_unit(element)
        segments = element.findall(f"{{{NS}}}segment")
        if len(segments) != 1:
            unit.problems.append(
                f"{len(segments)} <segment> elements; the export wrote one (do not split or join segments)"
            )
            return unit
        segment = segments[0]
        source = segment.find(f"{{{NS}}}source")
        unit.source = read_content(source, unit.problems) if source is not None else []
        target = segment.find(f"{{{NS}}}target")
        if target is not None:
            unit.state = segment.get("state", "initial")
            unit.target = read_content(target, unit.problems)
        for match in element.iterfind(f"{{{MTC}}}matches/{{{MTC}}}match"):
            match_target = match.find(f"{{{NS}}}target")
            exact = match.get("type") == "tm" and match.get("similarity") == "100.0"
            if (match.get("type") == "mt" or exact) and match_target is not None:
                kind, similarity = ("tm", 100.0) if exact else ("mt", None)
                content = read_content(match_target, [])
                unit.alternatives.append(
                    Alternative(kind, [], content, {}, match.get("origin", ""), similarity)
                )
        return unit


def _write_data(
    parent: etree._Element, tags: dict[str, TagInfo], prefix: str = "d"
) -> dict[str, tuple[str, str]]:
    """``<originalData>``: one ``<data>`` per piece of markup; tag id -> (data id, end data id)."""
    if not tags:
        return {}
    original = sub(parent, f"{{{NS}}}originalData")
    ids: dict[str, tuple[str, str]] = {}
    count = 0
    for info in tags.values():
        pieces = [info.data, info.end_data] if info.role == START else [info.data]
        refs = []
        for piece in pieces:
            count += 1
            refs.append(f"{prefix}{count}")
            data = sub(original, f"{{{NS}}}data", id=refs[-1])
            _data_text(data, piece)
        ids[info.id] = (refs[0], refs[-1])
    return ids


def _data_text(element: etree._Element, text: str) -> None:
    """Markup as ``<data>`` content; characters XML cannot hold as ``<cp hex>``."""
    for char in text:
        if ord(char) < 0x20 and char not in "\t\n\r":
            sub(element, f"{{{NS}}}cp", hex=f"{ord(char):04X}")
        elif len(element):
            element[-1].tail = (element[-1].tail or "") + char
        else:
            element.text = (element.text or "") + char


_SPANS = frozenset({"pc"})
_ROLES = {"ph": ISOLATED, "sc": OPEN, "ec": CLOSE}


def read_content(element: etree._Element, problems: list[str]) -> Content:
    """``<sm/>``/``<em/>`` (annotation markers a tool may add) are ignored."""
    return read_xml_content(element, problems, _SPANS, _ROLES, frozenset({"sm", "em"}))


__all__ = ["MTC", "NS", "Xliff21"]
