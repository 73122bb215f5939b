"""Gettext PO (polib): for tools and people that take PO rather than XLIFF (Poedit, Weblate, Lokalize).

One entry per segment: ``msgctxt`` is the unit id, ``msgid`` the source as
written, ``msgstr`` the target.  PO has no inline tags, so codes are written
``<1>…</1>`` (a span), ``<2/>`` (standalone), ``<3>`` / ``</4>`` (half of a span
crossing a sentence boundary), and each entry's comments say what markup every
tag stands for.  A literal ``<`` that would read as a tag, and a literal
backslash, are escaped with a backslash.  Machine output is flagged ``fuzzy``
(the PO convention for "needs review"); the MT is repeated in a comment, so
import can tell an edited entry from an untouched one.  The original's path and
SHA-256 are header fields.
"""

from __future__ import annotations

import re

import polib

from ..errors import InputError
from .model import CLOSE, END, ISOLATED, OPEN, START, Alternative, Bundle, Content, Tag, TagInfo, Unit, merged
from .xmlcommon import META_FIELDS

HEADER_PREFIX = "X-Translate-"
MT_COMMENT = "MT: "
TM_COMMENT = "TM 100%: "
_TOKEN = re.compile(r"\\\\|\\<|<(/?)(\d+)(/?)>")
_TAG_LIKE = re.compile(r"<(?=/?\d+/?>)")


def write_text(content: Content) -> str:
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(_TAG_LIKE.sub(r"\\<", part.replace("\\", "\\\\")))
        elif part.role in (START, OPEN):
            parts.append(f"<{part.id}>")
        elif part.role in (END, CLOSE):
            parts.append(f"</{part.id}>")
        else:
            parts.append(f"<{part.id}/>")
    return "".join(parts)


def read_text(text: str, known: dict[str, TagInfo] | None = None) -> Content:
    """PO text back to content; ``<n>``/``</n>`` are a span's START/END when ``n`` is a span."""
    content: Content = []
    last = 0
    for match in _TOKEN.finditer(text):
        content.append(text[last : match.start()])
        last = match.end()
        token = match.group()
        if token in ("\\\\", "\\<"):
            content.append(token[1])
            continue
        closing, number, empty = match.groups()
        span = known is not None and number in known and known[number].role == START
        if empty and not closing:
            content.append(Tag(ISOLATED, number))
        elif closing:
            content.append(Tag(END if span else CLOSE, number))
        else:
            content.append(Tag(START if span else OPEN, number))
    content.append(text[last:])
    return merged(content)


def _legend(tags: dict[str, TagInfo]) -> list[str]:
    lines = []
    for info in tags.values():
        if info.role == START:
            lines.append(f"<{info.id}>…</{info.id}> = {info.data}…{info.end_data}")
        elif info.role == ISOLATED:
            lines.append(f"<{info.id}/> = {info.data}")
        else:
            written = f"<{info.id}>" if info.role == OPEN else f"</{info.id}>"
            lines.append(f"{written} = {info.data} (the span continues in another entry)")
    return lines


class PoExchange:
    name = "po"
    extension = ".po"

    def write(self, bundle: Bundle) -> bytes:
        po = polib.POFile(wrapwidth=0)
        po.metadata = {
            "Project-Id-Version": bundle.original,
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Language": bundle.target_lang.replace("-", "_"),
            "X-Source-Language": bundle.source_lang,
            **{HEADER_PREFIX + name.capitalize(): getattr(bundle, name) for name in META_FIELDS},
        }
        for unit in bundle.units:
            comments = [f"{category}: {text}" for category, text in unit.notes] + _legend(unit.tags)
            mt = next((a for a in unit.alternatives if a.kind == "mt"), None)
            exact = next((a for a in unit.alternatives if a.kind == "tm" and a.similarity == 100), None)
            if mt is not None:
                comments.append(MT_COMMENT + write_text(mt.target))
            if exact is not None:
                comments.append(TM_COMMENT + write_text(exact.target))
            comments += [
                f"TM {a.similarity:.0f}% ({a.origin}): {write_text(a.source)} => {write_text(a.target)}"
                for a in unit.alternatives
                if a.kind == "tm" and a.similarity != 100
            ]
            flags = ["fuzzy"] if unit.origin in ("mt", "tm-mt") and unit.target is not None else []
            if not unit.translate:
                flags.append("no-translate")
            po.append(
                polib.POEntry(
                    msgctxt=unit.id,
                    msgid=write_text(unit.source),
                    msgstr=write_text(unit.target) if unit.target is not None else "",
                    comment="\n".join(comments),
                    flags=flags,
                )
            )
        return str(po).encode("utf-8") + b"\n"

    def read(self, data: bytes, name: str) -> Bundle:
        try:
            po = polib.pofile(data.decode("utf-8"), wrapwidth=0)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise InputError(
                f"not a readable PO file: {error}", path=name, hint="fix it in its tool"
            ) from None
        meta = {
            key[len(HEADER_PREFIX) :].lower(): value
            for key, value in po.metadata.items()
            if key.startswith(HEADER_PREFIX)
        }
        missing = [f for f in ("sha256", "format") if not meta.get(f)]
        if missing:
            raise InputError(
                f"not exported by translate: no {', '.join(HEADER_PREFIX + m.capitalize() for m in missing)}"
                " header",
                path=name,
                hint="import takes the files `translate export` wrote",
            )
        bundle = Bundle(
            meta.get("original", ""),
            meta.get("path", ""),
            meta.get("absolute", ""),
            meta["sha256"],
            meta["format"],
            po.metadata.get("X-Source-Language", ""),
            po.metadata.get("Language", "").replace("_", "-"),
            meta.get("signature", ""),
            meta.get("mt_as") or "target",
        )
        for entry in po:
            if entry.obsolete:
                continue
            source = read_text(entry.msgid)
            spans = {
                t.id: TagInfo(t.id, START, "", "") for t in source if isinstance(t, Tag) and t.role == END
            }
            source = read_text(entry.msgid, spans)
            unit = Unit(
                entry.msgctxt or "",
                source,
                read_text(entry.msgstr, spans) if entry.msgstr else None,
                line=entry.linenum,
                translate="no-translate" not in entry.flags,
                state="fuzzy" if "fuzzy" in entry.flags else "translated",
            )
            for line in (entry.comment or "").splitlines():
                for kind, prefix, similarity in (("mt", MT_COMMENT, None), ("tm", TM_COMMENT, 100.0)):
                    if line.startswith(prefix):
                        content = read_text(line[len(prefix) :], spans)
                        unit.alternatives.append(Alternative(kind, [], content, {}, kind, similarity))
            bundle.units.append(unit)
        return bundle


__all__ = ["PoExchange", "read_text", "write_text"]
