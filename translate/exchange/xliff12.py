"""XLIFF 1.2: what every CAT tool opens (OmegaT, memoQ, Trados, Phrase, Matecat).

One ``<trans-unit>`` per segment, id ``block.index``.  Codes are ``<g>`` (a span
in the unit), ``<bx/>``/``<ex/>`` (half of a span that crosses a sentence
boundary) and ``<x/>`` (standalone), each with ``ctype`` and the original markup
in ``equiv-text``, so the tool shows tags and says what they are.  The MT target is
``state="needs-review-translation" state-qualifier="mt-suggestion"`` and is also
kept as an ``<alt-trans>`` (import compares the target with it to tell edited
units from untouched ones); fuzzy memory matches are ``<alt-trans>`` with
``match-quality``.  Glossary terms, quantities, the engine's confidence and QA
findings are ``<note>`` s (``mt-confidence: 43% ...``, ``qa: warning (confidence)
...``): every CAT tool shows notes (OmegaT's comments pane, memoQ and Trados as
comments), while ``match-quality`` on the MT ``<alt-trans>`` would be shown as a
43% fuzzy match, and an ITS ``its:mtConfidence`` attribute is not allowed by the
strict schema (its foreign attributes need a schema) and few tools read it.
The file's header records the original's path and SHA-256.  Written to validate
against the OASIS XLIFF 1.2 strict schema (hence also transitional).
"""

from __future__ import annotations

import re

from lxml import etree

from .model import CLOSE, ISOLATED, OPEN, START, Alternative, Bundle, Content, Tag, TagInfo, Unit
from .xmlcommon import (
    XML_NS,
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

NS = "urn:oasis:names:tc:xliff:document:1.2"
TOOL_ID = "translate-id-en"
MT_ORIGIN = "machine-translation"
TM_ORIGIN = "translation-memory"
#: Unit origin -> target state and state-qualifier.
STATES = {
    "mt": ("needs-review-translation", "mt-suggestion"),
    "tm-mt": ("needs-review-translation", "leveraged-mt"),
    "tm": ("translated", "exact-match"),
    "copied": ("final", None),
}
DATATYPES = {"text": "plaintext", "html": "html", "markdown": "x-markdown", "docx": "x-docx"}
_DELIMITERS = {
    "strong": "bold",
    "emphasis": "italic",
    "em": "italic",
    "b": "bold",
    "i": "italic",
    "u": "underlined",
    "link": "link",
    "a": "link",
}
_PLACEHOLDERS = {"image": "image", "img": "image", "hardbreak": "lb", "break": "lb", "br": "lb"}
_LEAVES = frozenset({"source", "target", "note"})


def ctype(info: TagInfo) -> str | None:
    """A ``ctype`` for a code: the XLIFF name where one fits, else ``x-`` and our name."""
    table = _DELIMITERS if info.role in (START, OPEN, CLOSE) else _PLACEHOLDERS
    if info.name in table:
        return table[info.name]
    name = re.sub(r"\s+", "-", info.name.strip())
    return f"x-{name}" if name else None


class Xliff12:
    name = "xliff"
    extension = ".xlf"

    # -- writing ---------------------------------------------------------------------

    def write(self, bundle: Bundle) -> bytes:
        root = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="1.2")
        file = sub(
            root,
            f"{{{NS}}}file",
            original=bundle.original or bundle.path,
            source_language=bundle.source_lang,
            target_language=bundle.target_lang,
            datatype=DATATYPES.get(bundle.format, f"x-{bundle.format}"),
            tool_id=TOOL_ID,
        )
        header = sub(file, f"{{{NS}}}header")
        skl = sub(header, f"{{{NS}}}skl")
        sub(skl, f"{{{NS}}}external-file", href=bundle.path or bundle.original)
        from .. import __version__

        sub(header, f"{{{NS}}}tool", tool_id=TOOL_ID, tool_name="translate", tool_version=__version__)
        for key, value in meta_items(bundle):
            sub(header, f"{{{NS}}}note", value, **{"from": key})
        body = sub(file, f"{{{NS}}}body")
        for unit in bundle.units:
            self._unit(body, unit, bundle)
        indent(root, _LEAVES)
        return serialize(root, bundle.original)

    def _unit(self, body: etree._Element, unit: Unit, bundle: Bundle) -> None:
        element = sub(
            body,
            f"{{{NS}}}trans-unit",
            id=unit.id,
            xml_space="preserve",
            translate=None if unit.translate else "no",
        )
        self._content(
            sub(element, f"{{{NS}}}source", xml_lang=bundle.source_lang),
            unit.source,
            unit.tags,
            unit.id,
            bundle,
        )
        if unit.target is not None:
            state, qualifier = STATES.get(unit.origin, (None, None))
            target = sub(
                element,
                f"{{{NS}}}target",
                xml_lang=bundle.target_lang,
                state=state,
                state_qualifier=qualifier,
            )
            self._content(target, unit.target, unit.tags, unit.id, bundle)
        for alternative in unit.alternatives:
            self._alternative(element, alternative, unit, bundle)
        for category, text in unit.notes:
            sub(
                element,
                f"{{{NS}}}note",
                f"{category}: {text}",
                **{"from": "translate", "annotates": "source"},
            )

    def _alternative(
        self, parent: etree._Element, alternative: Alternative, unit: Unit, bundle: Bundle
    ) -> None:
        mt = alternative.kind == "mt"
        # match-quality is read as a fuzzy match's percentage by CAT tools: memory matches only
        quality = None if mt or alternative.similarity is None else f"{alternative.similarity:.0f}"
        element = sub(
            parent,
            f"{{{NS}}}alt-trans",
            origin=MT_ORIGIN if mt else TM_ORIGIN,
            match_quality=quality,
            tool_id=TOOL_ID,
            alttranstype="proposal",
        )
        if not mt:
            sub(element, f"{{{NS}}}note", f"origin: {alternative.origin}", **{"from": "translate"})
            self._content(
                sub(element, f"{{{NS}}}source", xml_lang=bundle.source_lang),
                alternative.source,
                alternative.tags,
                unit.id,
                bundle,
            )
        self._content(
            sub(element, f"{{{NS}}}target", xml_lang=bundle.target_lang),
            alternative.target,
            alternative.tags,
            unit.id,
            bundle,
        )
        if not mt:  # the note must follow source and target
            element.append(element[0])

    def _content(
        self, parent: etree._Element, content: Content, tags: dict[str, TagInfo], unit_id: str, bundle: Bundle
    ) -> None:
        check_content(content, unit_id, bundle.original)

        def element_for(where: etree._Element, tag: Tag) -> etree._Element:
            info = tags[tag.id]
            name = {START: "g", OPEN: "bx", CLOSE: "ex", ISOLATED: "x"}[tag.role]
            attrs: dict[str, str | None] = {
                "id": tag.id,
                "equiv_text": info.data + (f"…{info.end_data}" if tag.role == START else ""),
            }
            if tag.role != CLOSE:
                attrs["ctype"] = ctype(info)
            return sub(where, f"{{{NS}}}{name}", **attrs)

        write_content(parent, content, element_for)

    # -- reading ---------------------------------------------------------------------

    def read(self, data: bytes, name: str) -> Bundle:
        _, file = export_file(data, name, NS, "XLIFF 1.2")
        meta = {
            note.get("from", ""): note.text or "" for note in file.iterfind(f"{{{NS}}}header/{{{NS}}}note")
        }
        bundle = bundle_from_meta(
            meta, file.get("source-language", ""), file.get("target-language", ""), name
        )
        for element in file.iter(f"{{{NS}}}trans-unit"):
            bundle.units.append(self._read_unit(element))
        return bundle

    def _read_unit(self, element: etree._Element) -> Unit:
        unit = read_unit(element)
        source = element.find(f"{{{NS}}}source")
        unit.source = read_content(source, unit.problems) if source is not None else []
        target = element.find(f"{{{NS}}}target")
        if target is not None:
            unit.state = target.get("state", "")
            unit.target = read_content(target, unit.problems)
        for alt in element.iterfind(f"{{{NS}}}alt-trans"):
            alt_target = alt.find(f"{{{NS}}}target")
            exact = alt.get("origin") == TM_ORIGIN and alt.get("match-quality") == "100"
            if (alt.get("origin") == MT_ORIGIN or exact) and alt_target is not None:
                kind, similarity = ("tm", 100.0) if exact else ("mt", None)
                content = read_content(alt_target, [])
                unit.alternatives.append(
                    Alternative(kind, [], content, {}, alt.get("origin", ""), similarity)
                )
        return unit


_SPANS = frozenset({"g"})
_ROLES = {"x": ISOLATED, "bx": OPEN, "ex": CLOSE, "ph": ISOLATED, "bpt": OPEN, "ept": CLOSE}


def read_content(element: etree._Element, problems: list[str]) -> Content:
    return read_xml_content(element, problems, _SPANS, _ROLES)


__all__ = ["NS", "Xliff12", "XML_NS", "ctype", "read_content"]
