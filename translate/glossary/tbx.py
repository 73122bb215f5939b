"""Glossaries as TBX: TBX-Basic (``martif``) and TBX v3 (``tbx``), parsed safely.

Each Indonesian term of a concept entry becomes a :class:`Term` whose target
is the entry's first English term (the others are alternatives).
"""

from __future__ import annotations

import re
from pathlib import Path

from .checks import term_text_problems
from .entries import CATEGORIES, Problem, Term, default_case_sensitive, normal

#: Root elements of TBX files: TBX-Basic / TBX 2008 (``martif``, no namespace) and TBX v3.
_ROOTS = {("martif", ""), ("tbx", ""), ("tbx", "urn:iso:std:iso:30042:ed-2")}

_SUBJECT_FIELDS = {
    "geography": "place", "location": "place", "places": "place", "toponym": "place",
    "job title": "title", "titles": "title", "position": "title",
    "organisation": "organization", "organizations": "organization", "institution": "organization",
    "institutions": "organization", "people": "person", "persons": "person", "name": "person",
}

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SOURCE_LANGS = {"id", "in", "ind"}
_TARGET_LANGS = {"en", "eng"}


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element) -> str:
    return normal("".join(element.itertext()))


def read_tbx(path: Path, data: bytes) -> tuple[list[Term], list[Problem]]:
    """TBX-Basic (termEntry/langSet/tig|ntig/term), TBX v3 (conceptEntry|termEntry/langSec/termSec/term).

    Parsed with entity expansion, DTD loading and network access off; a DOCTYPE
    that declares entities is refused outright (billion laughs, XXE).
    """
    from lxml import etree

    name = str(path)
    entity = re.search(rb"<!ENTITY", data)
    if entity:
        line = data.count(b"\n", 0, entity.start()) + 1
        return [], [Problem(name, line, "the DOCTYPE declares entities, which glossaries may not use "
                                        "(entity expansion attacks); remove the entity declarations")]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [], [Problem(name, exc.lineno or 0, f"not well-formed XML: {exc.msg}")]
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return [], [Problem(name, 1, "the DOCTYPE declares entities, which glossaries may not use")]
    qualified = etree.QName(root)
    if (qualified.localname, qualified.namespace or "") not in _ROOTS:
        namespace = f" in namespace {qualified.namespace}" if qualified.namespace else ""
        shown = f"<{qualified.localname}>{namespace}"
        return [], [Problem(name, root.sourceline or 0,
                            f"the root element is {shown}: not TBX (<martif>, or <tbx> in namespace "
                            "urn:iso:std:iso:30042:ed-2)")]
    terms: list[Term] = []
    problems: list[Problem] = []
    entries = [e for e in root.iter() if _local(e) in ("termEntry", "conceptEntry")]
    if not entries:
        problems.append(Problem(name, root.sourceline or 0,
                                "no termEntry/conceptEntry element: not a TBX file?"))
    for entry in entries:
        entry_terms, entry_problems = _tbx_entry(name, entry)
        terms.extend(entry_terms)
        problems.extend(entry_problems)
    return terms, problems


def _tbx_entry(path: str, entry) -> tuple[list[Term], list[Problem]]:
    """One concept: each Indonesian term becomes a Term; the first English term is the target."""
    line = entry.sourceline or 0
    langs: dict[str, list] = {"source": [], "target": []}
    for section in (e for e in entry.iter() if _local(e) in ("langSet", "langSec")):
        lang = (section.get(_XML_LANG) or section.get("lang") or "").lower().replace("_", "-").split("-")[0]
        side = "source" if lang in _SOURCE_LANGS else "target" if lang in _TARGET_LANGS else None
        if side:
            langs[side].extend(t for t in section.iter() if _local(t) == "term")
    problems = [Problem(path, t.sourceline or line, "empty term") for t in langs["source"] + langs["target"]
                if not _text(t)]
    sources = [t for t in langs["source"] if _text(t)]
    targets = [_text(t) for t in langs["target"] if _text(t)]
    if not sources:
        problems.append(Problem(path, line, "entry has no Indonesian term (langSet/langSec xml:lang='id')"))
    if not targets:
        problems.append(Problem(path, line, "entry has no English term (langSet/langSec xml:lang='en')"))
    category, warning = _tbx_category(path, entry)
    problems.extend(warning)
    if not sources or not targets:
        return [], problems
    checked = [term_text_problems(path, t.sourceline or line, [_text(t)])
               for t in langs["source"] + langs["target"]]
    problems += [problem for found in checked for problem in found]
    if any(checked):
        return [], problems
    note = next((_text(e) for e in entry.iter() if _local(e) == "note"
                 or (_local(e) == "descrip" and e.get("type") == "definition")), "")
    terms = []
    for element in sources:
        source = _text(element)
        origin = f"{path}:{element.sourceline or line}"
        terms.append(Term(source, targets[0], tuple(targets[1:]), category, default_case_sensitive(source),
                          note, origin))
    return terms, problems


def _tbx_category(path: str, entry) -> tuple[str, list[Problem]]:
    """``descrip type="subjectField"`` mapped to a category; an unknown field warns and gives "other"."""
    for element in entry.iter():
        if _local(element) == "descrip" and element.get("type") == "subjectField":
            value = _text(element).lower()
            category = value if value in CATEGORIES else _SUBJECT_FIELDS.get(value)
            if category:
                return category, []
            message = f"subjectField {value!r} is not a category ({', '.join(CATEGORIES)}); using 'other'"
            return "other", [Problem(path, element.sourceline or 0, message, "warning")]
    return "other", []
