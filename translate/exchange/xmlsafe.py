"""Parsing XML that comes from outside (a translator's XLIFF, a bureau's TMX) safely.

lxml with entity substitution, DTD loading and network access off; on top of that
any document type declaration with an internal subset is refused before its
content is used, so entity tricks (billion laughs, external entities) give one
clear error instead of memory exhaustion or a file read.  A bare
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``, which many TMX files carry, is accepted
(the DTD is never loaded).
"""

from __future__ import annotations

from lxml import etree

from ..errors import InputError


def parse_xml(data: bytes, name: str) -> etree._Element:
    """The root element, or an :class:`InputError` naming the file and line."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        strip_cdata=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None)
        message = str(error.msg if hasattr(error, "msg") else error).split(" (<string>")[0]
        raise InputError(
            f"malformed XML: {message}",
            path=name,
            where=f"line {line}" if line else None,
            hint="fix the file in its tool, or export it again",
        ) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterelements()) or any(True for _ in dtd.entities())):
        raise InputError(
            "XML with a document type declaration (DTD, entities) is refused",
            path=name,
            where="line 1",
            hint="entity declarations can exhaust memory or read files; save the file without its DOCTYPE",
        )
    for node in root.iter(etree.Entity):
        raise InputError(
            f"XML entity reference {node.text} is refused",
            path=name,
            where=f"line {node.sourceline}",
            hint="write the character itself",
        )
    return root
