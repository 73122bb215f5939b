"""What the XLIFF 1.2 and 2.1 writers and readers share: file metadata, element helpers."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ..errors import InputError
from .model import CLOSE, END, OPEN, START, Bundle, Content, Tag, Unit, merged

XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Bundle fields recorded as notes of the file, so import finds and checks the original.
META_FIELDS = ("original", "path", "absolute", "sha256", "format", "signature", "mt_as")
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
        values.get("mt_as") or "target",  # files exported before the option had the MT in the target
    )


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
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


def export_file(data: bytes, name: str, ns: str, label: str) -> tuple[etree._Element, etree._Element]:
    """The root and the one ``<file>`` of an exported XLIFF (``label`` names the version in errors)."""
    from .xmlsafe import parse_xml

    root = parse_xml(data, name)
    if local(root) != "xliff" or etree.QName(root).namespace != ns:
        raise InputError(
            f"not an {label} file (no <xliff> in its namespace)", path=name, where=f"line {root.sourceline}"
        )
    files = root.findall(f"{{{ns}}}file")
    if len(files) != 1:
        raise InputError(f"{len(files)} <file> elements; an export has exactly one", path=name)
    return root, files[0]


def check_content(content: Content, where: str, name: str) -> None:
    for part in content:
        if isinstance(part, str):
            check_xml_text(part, where, name)


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


def read_unit(element: etree._Element) -> Unit:
    """A unit read back, before its content: id, line and translate flag."""
    return Unit(
        element.get("id", ""),
        [],
        None,
        line=element.sourceline or 0,
        translate=element.get("translate", "yes") != "no",
    )


def read_content(
    element: etree._Element,
    problems: list[str],
    spans: frozenset[str],
    roles: dict[str, str],
    ignored: frozenset[str] = frozenset(),
) -> Content:
    """Mixed content back to text and tags: ``spans`` are span elements (their content is read),
    ``roles`` map empty code elements to tag roles (native code content is ignored), ``<mrk>`` is
    transparent, ``<cp hex>`` a character; anything else is a problem listed with its line."""
    content: Content = [element.text or ""]
    for child in element:
        name = local(child)
        tag_id = child.get("id", "") or child.get("startRef", "")
        if name in spans:
            content += [
                Tag(START, tag_id),
                *read_content(child, problems, spans, roles, ignored),
                Tag(END, tag_id),
            ]
        elif name == "mrk":
            content += read_content(child, problems, spans, roles, ignored)
        elif name == "it":  # XLIFF 1.2: an isolated half of a span
            content.append(Tag(OPEN if child.get("pos") == "open" else CLOSE, tag_id))
        elif name in roles:
            content.append(Tag(roles[name], tag_id))
        elif name == "cp":
            content.append(chr(int(child.get("hex", "0"), 16)))
        elif name and name not in ignored:
            problems.append(f"line {child.sourceline}: unexpected element <{name}> in {local(element)}")
        content.append(child.tail or "")
    return merged(content)
