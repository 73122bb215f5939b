"""The character encoding of an HTML page: a BOM, else its ``<meta>`` declaration, else UTF-8.

Older Indonesian news sites still serve ``windows-1252`` / ``iso-8859-1`` pages.
The declaration is found the way browsers find it, by the WHATWG prescan of the
first 1024 bytes (13.2.3.2: comments and the attributes of other tags are
skipped, ``<meta charset>`` or ``<meta http-equiv="Content-Type" content="...;
charset=...">``, the first one with a known label wins); the label is resolved
by the WHATWG Encoding Standard through ``webencodings`` (``iso-8859-1``,
``latin1`` and ``ascii`` all mean windows-1252, so a 0x97 byte is an em dash;
``x-user-defined`` in a ``<meta>`` means windows-1252 too).  The page is decoded
strictly, and the writer encodes the output with the same codec, characters it
cannot hold written as numeric character references (``&#7879;``), which every
browser reads back.  Untouched bytes come back unchanged, so an identity run is
still byte for byte.

Labels of the WHATWG "replacement" encoding (``iso-2022-kr``, ``hz-gb-2312``,
``iso-2022-cn``...) are refused: a browser shows such a page as a single U+FFFD,
so there is no text to translate, and the user is told to convert the page.

The prescan is written by hand because no maintained library exposes it alone
(html5lib's lives in a private module).
"""

from __future__ import annotations

from dataclasses import dataclass

import webencodings

from ..errors import InputError
from ..textio import UTF8_BOM, decode_text, encode_text, refuse_binary

#: How far the standard's prescan looks for a declaration.
PRESCAN_BYTES = 1024
_SPACE = b"\t\n\x0c\r "
_ASCII_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class Declaration:
    """What the prescan found: the label as written, and the WHATWG encoding (None: unknown label)."""

    label: str
    encoding: str | None


def declaration(data: bytes) -> Declaration | None:
    """The page's encoding declaration (no BOM): the first known one, else the first unknown label."""
    if data.startswith(UTF8_BOM):
        return None  # a BOM wins over a declaration, as in browsers
    return _Prescan(data[:PRESCAN_BYTES]).run()


def declared_encoding(data: bytes) -> str | None:
    """The WHATWG name of the encoding the page declares (``windows-1252``...), or None."""
    found = declaration(data)
    return found.encoding if found else None


class _End(Exception):
    """The prescan ran off the end of its bytes inside an attribute: it ends without a declaration."""


class _Prescan:
    """WHATWG 13.2.3.2 "prescan a byte stream to determine its encoding"."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.unknown: Declaration | None = None

    def run(self) -> Declaration | None:
        try:
            return self._scan()
        except _End:
            return self.unknown

    def _scan(self) -> Declaration | None:
        data = self.data
        while self.pos < len(data):
            if data.startswith(b"<!--", self.pos):
                end = data.find(b"-->", self.pos + 2)  # "<!-->" ends where it starts
                if end < 0:
                    break
                self.pos = end + 3
                continue
            if data[self.pos : self.pos + 5].lower() == b"<meta" and data[self.pos + 5 : self.pos + 6] in (
                    *(bytes([c]) for c in _SPACE), b"/"):
                self.pos += 6
                found = self._meta()
                if found is not None:
                    return found
                continue
            if self._at(0) == b"<" and (self._letter(1) or (self._at(1) == b"/" and self._letter(2))):
                while self.pos < len(data) and data[self.pos] not in b"\t\n\x0c\r >":
                    self.pos += 1
                while self._attribute() is not None:
                    pass
            elif data[self.pos : self.pos + 2] in (b"<!", b"</", b"<?"):
                end = data.find(b">", self.pos)
                if end < 0:
                    break
                self.pos = end
            self.pos += 1
        return self.unknown

    def _at(self, offset: int) -> bytes:
        return self.data[self.pos + offset : self.pos + offset + 1]

    def _letter(self, offset: int) -> bool:
        return self._at(offset) != b"" and self._at(offset)[0] in _ASCII_LETTERS

    def _meta(self) -> Declaration | None:
        seen: set[bytes] = set()
        got_pragma = False
        need_pragma: bool | None = None
        charset: Declaration | None = None
        while (attribute := self._attribute()) is not None:
            name, value = attribute
            if name in seen:
                continue
            seen.add(name)
            if name == b"http-equiv":
                got_pragma = got_pragma or value == b"content-type"
            elif name == b"content" and charset is None:
                label = _charset_in_content(value)
                found = _resolve(label) if label is not None else None
                if found is not None and found.encoding is None:
                    self.unknown = self.unknown or found  # not a declaration, but worth naming in an error
                elif found is not None:
                    charset, need_pragma = found, True
            elif name == b"charset":
                charset, need_pragma = _resolve(value), False
        if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
            return None
        if charset.encoding is None:
            self.unknown = self.unknown or charset
            return None
        return charset

    def _attribute(self) -> tuple[bytes, bytes] | None:
        """WHATWG "get an attribute": (lower-cased name, value), or None at ``>`` or the end."""
        data, size = self.data, len(self.data)
        while self.pos < size and data[self.pos] in _SPACE + b"/":
            self.pos += 1
        if self.pos >= size:
            raise _End
        if data[self.pos] == 0x3E:  # ">"
            return None
        name = bytearray()
        while True:
            if self.pos >= size:
                raise _End
            char = data[self.pos]
            if char == 0x3D and name:  # "="
                self.pos += 1
                break
            if char in _SPACE:
                while self.pos < size and data[self.pos] in _SPACE:
                    self.pos += 1
                if self.pos >= size:
                    raise _End
                if data[self.pos] != 0x3D:
                    return bytes(name), b""
                self.pos += 1
                break
            if char in b"/>":
                return bytes(name), b""
            name.append(char | 0x20 if 0x41 <= char <= 0x5A else char)
            self.pos += 1
        while self.pos < size and data[self.pos] in _SPACE:
            self.pos += 1
        if self.pos >= size:
            raise _End
        quote = data[self.pos]
        if quote in b"\"'":
            end = data.find(bytes([quote]), self.pos + 1)
            if end < 0:
                raise _End
            value, self.pos = data[self.pos + 1 : end], end + 1
            return bytes(name), value.lower()
        if quote == 0x3E:
            return bytes(name), b""
        start = self.pos
        while self.pos < size and data[self.pos] not in _SPACE + b">":
            self.pos += 1
        if self.pos >= size:
            raise _End
        return bytes(name), data[start : self.pos].lower()


def _charset_in_content(content: bytes) -> bytes | None:
    """WHATWG "extracting a character encoding from a meta element" (``text/html; charset=x``)."""
    pos = 0
    while True:
        pos = content.find(b"charset", pos)
        if pos < 0:
            return None
        pos += 7
        while pos < len(content) and content[pos] in _SPACE:
            pos += 1
        if content[pos : pos + 1] == b"=":
            break
    pos += 1
    while pos < len(content) and content[pos] in _SPACE:
        pos += 1
    if pos >= len(content):
        return None
    if content[pos] in b"\"'":
        end = content.find(content[pos : pos + 1], pos + 1)
        return content[pos + 1 : end] if end >= 0 else None
    end = pos
    while end < len(content) and content[end] not in _SPACE + b";":
        end += 1
    return content[pos:end]


def _resolve(label: bytes) -> Declaration:
    """The WHATWG encoding of a prescan's label (UTF-16 means UTF-8, x-user-defined windows-1252)."""
    text = label.decode("latin-1")
    encoding = webencodings.lookup(text)
    if encoding is None:
        return Declaration(text, None)
    name = {"utf-16le": "utf-8", "utf-16be": "utf-8", "x-user-defined": "windows-1252"}.get(
        encoding.name, encoding.name)
    return Declaration(text, name)


def decode_html(data: bytes, name: str) -> tuple[str, bool, str | None]:
    """The page's text, whether it had a UTF-8 BOM, and its codec when not UTF-8."""
    found = declaration(data)
    encoding = found.encoding if found else None
    if encoding == "replacement":
        assert found is not None
        raise InputError(
            f"its <meta> declares {found.label!r}, an encoding browsers refuse to read "
            "(WHATWG 'replacement')",
            path=name, hint="convert the page to UTF-8 and declare <meta charset=\"utf-8\">")
    if encoding in (None, "utf-8"):
        try:
            text, bom = decode_text(data, name)
        except InputError as error:
            if not error.message.startswith("not valid UTF-8"):
                raise
            unknown = f"its <meta> declares {found.label!r}, an unknown encoding; " if found and \
                found.encoding is None else ""
            raise InputError(error.message, path=name, where=error.where,
                             hint=f"{unknown}declare the page's encoding (<meta charset=\"windows-1252\">) "
                                  "or convert it to UTF-8") from None
        return text, bom, None
    refuse_binary(data, name)  # a declaration does not make binary data text
    known = webencodings.lookup(encoding)
    assert known is not None  # ``encoding`` is a WHATWG name the prescan returned
    codec = known.codec_info.name
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
