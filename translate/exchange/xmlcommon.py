"""What the XLIFF 1.2 and 2.1 writers and readers share: file metadata, element helpers."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ..errors import InputError
from .model import Bundle, Content, Tag

XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Bundle fields recorded as notes of the file, so import finds and checks the original.
META_FIELDS = ("original", "path", "absolute", "sha256", "format", "signature")
META_PREFIX = "translate:"


def meta_items(bundle: Bundle) -> list[tuple[str, str]]:
    return [(META_PREFIX + name, getattr(bundle, name)) for name in META_FIELDS]


def bundle_from_meta(meta: dict[str, str], source_lang: str, target_lang: str, name: str) -> Bundle:
    """A bundle (without units) from the file notes read back; an error names what is missing."""
    values = {key[len(META_PREFIX) :]: value for key, value in meta.items() if key.startswith(META_PREFIX)}
    missing = [f for f in ("sha256", "format") if not values.get(f)]
    if missing:
        raise InputError(
            f"not exported by translate: no {', '.join(META_PREFIX + m for m in missing)} note",
            path=name,
            hint="import takes the files `translate export` wrote",
        )
    return Bundle(
        values.get("original", ""),
        values.get("path", ""),
        values.get("absolute", ""),
        values["sha256"],
        values["format"],
        source_lang,
        target_lang,
        values.get("signature", ""),
    )


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A child element; attributes given as ``xml_lang`` go in the xml: namespace, ``None`` are left out."""
    element = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        if value is None:
            continue
        name = f"{{{XML_NS}}}{key[4:]}" if key.startswith("xml_") else key.replace("_", "-")
        element.set(name, value)
    if text is not None:
        element.text = text
    return element


def add_text(parent: etree._Element, text: str) -> None:
    """Append text after the parent's last child (or as its text)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def write_content(
    parent: etree._Element, content: Content, element_for: Callable[[etree._Element, Tag], etree._Element]
) -> None:
    """Content as mixed XML: spans (START ... END) as nested elements, other tags empty elements."""
    stack = [parent]
    for part in content:
        if isinstance(part, str):
            add_text(stack[-1], part)
        elif part.role == "end":
            if len(stack) > 1:
                stack.pop()
        else:
            element = element_for(stack[-1], part)
            if part.role == "start":
                stack.append(element)


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def serialize(root: etree._Element, name: str) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=False) + b"\n"


def check_xml_text(text: str, where: str, name: str) -> None:
    """XML 1.0 cannot hold most control characters: say which unit has one instead of failing later."""
    for char in text:
        if ord(char) < 0x20 and char not in "\t\n\r":
            raise InputError(
                f"unit {where}: character U+{ord(char):04X} cannot be written in XML",
                path=name,
                hint="export this document as PO (--to po)",
            )


def indent(element: etree._Element, leaves: frozenset[str], level: int = 0) -> None:
    """One element a line (so problems can name lines), but never whitespace inside text elements."""
    if local(element) in leaves or not len(element):
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        indent(child, leaves, level + 1)
        child.tail = pad
    element[-1].tail = "\n" + "  " * level
