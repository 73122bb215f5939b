"""The character encoding of an HTML page: a BOM, else its ``<meta>`` declaration, else UTF-8.

Older Indonesian news sites still serve ``windows-1252`` / ``iso-8859-1`` pages.
The declared label is resolved the way browsers do (the WHATWG Encoding
Standard, through ``webencodings``: ``iso-8859-1``, ``latin1`` and ``ascii``
all mean windows-1252, so a 0x97 byte is an em dash), the page is decoded
strictly, and the writer encodes the output with the same codec, characters it
cannot hold written as numeric character references (``&#7879;``), which
every browser reads back.  Untouched bytes come back unchanged, so an identity
run is still byte for byte.

The declaration is looked for with a regular expression over the first 1024
bytes (``<meta charset=...>`` and ``<meta http-equiv="Content-Type"
content="...; charset=...">``), a simplification of the standard's prescan that
is written by hand because no maintained library exposes the prescan alone.
"""

from __future__ import annotations

import re

import webencodings

from ..errors import InputError
from ..textio import UTF8_BOM, decode_text, encode_text

#: How far the standard's prescan looks for a declaration.
PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+-]+)", re.IGNORECASE)


def declared_label(data: bytes) -> str | None:
    """The first encoding label a ``<meta>`` in the first 1024 bytes declares (no BOM), as written."""
    if data.startswith(UTF8_BOM):
        return None  # a BOM wins over a declaration, as in browsers
    match = _META_CHARSET.search(data[:PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def declared_encoding(data: bytes) -> str | None:
    """The Python codec of the encoding the page declares, if it is not UTF-8; ``None`` for UTF-8.

    UTF-16 labels mean UTF-8 (a page whose declaration can be read as ASCII is
    not UTF-16) and an unknown label is ignored, as browsers do.
    """
    label = declared_label(data)
    encoding = webencodings.lookup(label) if label else None
    if encoding is None or encoding.name in ("utf-8", "utf-16le", "utf-16be"):
        return None
    return encoding.codec_info.name


def decode_html(data: bytes, name: str) -> tuple[str, bool, str | None]:
    """The page's text, whether it had a UTF-8 BOM, and its codec when not UTF-8."""
    codec = declared_encoding(data)
    if codec is None:
        try:
            text, bom = decode_text(data, name)
        except InputError as error:
            if not error.message.startswith("not valid UTF-8"):
                raise
            label = declared_label(data)
            unknown = f"its <meta> declares {label!r}, an unknown encoding; " if label and \
                webencodings.lookup(label) is None else ""
            raise InputError(error.message, path=name, where=error.where,
                             hint=f"{unknown}declare the page's encoding (<meta charset=\"windows-1252\">) "
                                  "or convert it to UTF-8") from None
        return text, bom, None
    try:
        return data.decode(codec), False, codec
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid {codec}, the encoding its <meta> declares: byte 0x{data[error.start]:02x} at byte "
            f"offset {error.start} (line {line})",
            path=name, hint="fix the charset declaration, or convert the page to UTF-8") from None


def encode_html(text: str, bom: bool, codec: str | None) -> bytes:
    """Bytes in the page's own encoding; characters it cannot hold as numeric character references."""
    if codec is None:
        return encode_text(text, bom)
    return text.encode(codec, errors="xmlcharrefreplace")
