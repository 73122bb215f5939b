"""TMX 1.4: a translation memory in and out, so a bureau brings its memory and takes ours.

Written: one ``<tu>`` per memory entry, the origin (mt, post-edit, imported), the
document and the time as ``<prop>`` s and ``creationdate``; codes as ``<bpt>``/``<ept>``
(a span), ``<it>`` (half of a span crossing a sentence boundary) and ``<ph>``
(standalone), holding the original markup, with ``x`` linking a target's code to
the source's.  Read: any TMX 1.4 (or 1.1) whose source language is Indonesian;
codes are matched between source and target by ``x``, else by kind and markup in
order.  A unit whose codes cannot be matched, or without an Indonesian and a
target variant, is skipped and counted, never guessed.  Imported entries are
approved (a person's translations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from ..document import CodeAllocator, CodeKind
from ..errors import InputError
from ..memory import SOURCE_LANG, MemoryEntry, normalise, to_memory
from .codes import tag_map, to_content
from .model import CLOSE, END, ISOLATED, OPEN, START
from .xmlcommon import XML_NS, indent, local, serialize, sub
from .xmlsafe import parse_xml

_LEAVES = frozenset({"seg", "prop", "note"})


def _tmx_date(iso: str) -> str:
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        stamp = dt.datetime.now(dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _iso_date(tmx: str | None) -> str:
    try:
        return dt.datetime.strptime(tmx or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc).isoformat()
    except ValueError:
        return ""


def write_tmx(entries: Iterable[MemoryEntry]) -> bytes:
    """Entries as a TMX 1.4 document."""
    from .. import __version__

    root = etree.Element("tmx", version="1.4")
    sub(
        root,
        "header",
        creationtool="translate-id-en",
        creationtoolversion=__version__,
        datatype="plaintext",
        segtype="sentence",
        adminlang="en",
        srclang=SOURCE_LANG,
        o_tmf="translate-sqlite",
    )
    body = sub(root, "body")
    for entry in entries:
        tu = sub(body, "tu", creationdate=_tmx_date(entry.created))
        sub(tu, "prop", entry.origin, type="x-origin")
        if entry.document:
            sub(tu, "prop", entry.document, type="x-document")
        if entry.signature:
            sub(tu, "prop", entry.signature, type="x-signature")
        tags = tag_map(entry.key.source, entry.code_table())
        for lang, text in ((entry.key.source_lang, entry.key.source), (entry.key.target_lang, entry.target)):
            seg = sub(sub(tu, "tuv", xml_lang=lang), "seg")
            _write_seg(seg, to_content(text, tags), tags.info)
    indent(root, _LEAVES)
    return serialize(root, "memory.tmx")


def _write_seg(seg: etree._Element, content: list, info: dict) -> None:
    for part in content:
        if isinstance(part, str):
            if len(seg):
                seg[-1].tail = (seg[-1].tail or "") + part
            else:
                seg.text = (seg.text or "") + part
            continue
        tag = info[part.id]
        if part.role == START:
            sub(seg, "bpt", tag.data, i=part.id, x=part.id)
        elif part.role == END:
            sub(seg, "ept", tag.end_data, i=part.id)
        elif part.role == ISOLATED:
            sub(seg, "ph", tag.data, x=part.id)
        else:
            sub(seg, "it", tag.data, pos="begin" if part.role == OPEN else "end", x=part.id)


@dataclass
class TmxRead:
    entries: list[MemoryEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line N: why"


@dataclass
class _Code:
    role: str
    data: str
    x: str | None
    i: str | None


def read_tmx(data: bytes, name: str, target_lang: str | None = None) -> TmxRead:
    """The translation units of a TMX file with an Indonesian source, as approved memory entries.

    ``target_lang`` files them under another language tag than the file's (``en`` → ``en-US``).
    """
    root = parse_xml(data, name)
    if local(root) != "tmx":
        raise InputError("not a TMX file (no <tmx> root)", path=name, where=f"line {root.sourceline}")
    header = root.find("header")
    srclang = (header.get("srclang", "") if header is not None else "").lower()
    result = TmxRead()
    for tu in root.iter("tu"):
        where = f"line {tu.sourceline}"
        variants = [(tuv.get(f"{{{XML_NS}}}lang") or tuv.get("lang") or "", tuv) for tuv in tu.iter("tuv")]
        source = next((v for v in variants if _is_source(v[0], srclang)), None)
        others = [v for v in variants if v is not source]
        target = next((v for v in others if v[0].lower().startswith("en")), others[0] if others else None)
        if source is None or target is None:
            result.skipped.append(f"{where}: no Indonesian and target variants")
            continue
        try:
            entry = _entry(tu, source[1], target[1], target_lang or _bcp47(target[0]), name)
        except ValueError as error:
            result.skipped.append(f"{where}: {error}")
            continue
        result.entries.append(entry)
    return result


def _is_source(lang: str, srclang: str) -> bool:
    lang = lang.lower()
    return lang.split("-")[0] == SOURCE_LANG and (
        srclang in ("", "*all*") or srclang.split("-")[0] == SOURCE_LANG
    )


def _bcp47(tag: str) -> str:
    parts = tag.replace("_", "-").split("-")
    return "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])


def _entry(
    tu: etree._Element, source: etree._Element, target: etree._Element, target_lang: str, name: str
) -> MemoryEntry:
    source_parts = _seg_parts(source.find("seg"))
    target_parts = _seg_parts(target.find("seg"))
    allocator = CodeAllocator()
    coded: list[str] = []
    chars: list[tuple[_Code, str]] = []
    opens: dict[str, str] = {}
    for part in source_parts:
        if isinstance(part, str):
            coded.append(allocator.text(part))
            continue
        kind = {START: CodeKind.OPEN, OPEN: CodeKind.OPEN, END: CodeKind.CLOSE, CLOSE: CodeKind.CLOSE}.get(
            part.role, CodeKind.ISOLATED
        )
        pair = opens.pop(part.i, None) if part.role == END else None
        char = allocator.code(kind, part.data, "tmx", pair)
        if part.role == START and part.i is not None:
            opens[part.i] = char
        chars.append((part, char))
        coded.append(char)
    target_coded = "".join(
        allocator.text(p) if isinstance(p, str) else _match(p, chars) for p in target_parts
    )
    norm = normalise("".join(coded), allocator.codes)
    stored = to_memory(target_coded, norm, allocator.codes)
    if stored is None:
        raise ValueError("the target's codes are not the source's")
    props = {p.get("type"): p.text or "" for p in tu.iterfind("prop")}
    return MemoryEntry(
        norm.key(SOURCE_LANG, target_lang),
        stored,
        norm.code_data,
        props.get("x-document") or f"tmx:{name}",
        "imported",
        True,
        "",
        _iso_date(tu.get("changedate") or tu.get("creationdate")),
    )


def _match(code: _Code, chars: list[tuple[_Code, str]]) -> str:
    """The source code a target code is: same ``x``, else the first unused of the same role and markup."""
    for index, (candidate, char) in enumerate(chars):
        same_x = code.x is not None and candidate.x == code.x and candidate.role == code.role
        same = code.x is None and candidate.role == code.role and candidate.data == code.data
        if same_x or same:
            del chars[index]
            return char
    raise ValueError(f"a target code ({code.data!r}) has no counterpart in the source")


def _seg_parts(seg: etree._Element | None) -> list:
    if seg is None:
        raise ValueError("a variant without <seg>")
    parts: list = [seg.text or ""]
    for child in seg:
        name = local(child)
        text = "".join(child.itertext()) if name in ("bpt", "ept", "it", "ph", "ut") else ""
        if name == "bpt":
            parts.append(_Code(START, text, child.get("x"), child.get("i")))
        elif name == "ept":
            parts.append(_Code(END, text, None, child.get("i")))
        elif name == "it":
            parts.append(_Code(OPEN if child.get("pos") == "begin" else CLOSE, text, child.get("x"), None))
        elif name in ("ph", "ut"):
            parts.append(_Code(ISOLATED, text, child.get("x"), None))
        elif name == "hi":
            parts += _seg_parts(child)
        parts.append(child.tail or "")
    return [p for p in parts if p != ""]


__all__ = ["TmxRead", "read_tmx", "write_tmx"]
