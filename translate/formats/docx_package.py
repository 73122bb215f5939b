"""The DOCX container: a zip read within limits, XML parsed without DTDs, written back member by member.

Why the checks come before any reading: a .docx is a zip, and a zip can claim
a few kilobytes while inflating to gigabytes (a "zip bomb"), and an XML part can
declare entities that expand exponentially or fetch files ("billion laughs",
XXE).  So the central directory's declared sizes are checked against
:data:`MAX_TOTAL_BYTES` and :data:`MAX_RATIO` first, every read is bounded by the
declared size (the zip module stops there and a CRC check catches a lie), and
any DOCTYPE or ENTITY declaration in any XML member is refused: Word never
writes one.  Every error names the file and the member.

Writing copies every member in its original order, name, date and compression
method, and replaces only the parts whose text changed.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from ..errors import InputError

#: More members than any real document has (a long report with images has a few hundred).
MAX_MEMBERS = 5000
#: Total uncompressed size: a news article with photos is a few MB.
MAX_TOTAL_BYTES = 100 * 1024 * 1024
#: Text compresses about 5-20:1; beyond this ratio a big member is a zip bomb.
MAX_RATIO = 100
#: Members smaller than this are never called bombs, whatever their ratio.
RATIO_MIN_BYTES = 1024 * 1024

#: The first bytes of an OLE compound file (CFB): a legacy .doc, or a password-protected .docx.
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
CONTENT_TYPES = "[Content_Types].xml"
MAIN_PART = "word/document.xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
#: Content-type endings of the parts whose text is translated, in reading order.
STORY_TYPES = {
    ".main+xml": "document",
    ".header+xml": "header",
    ".footer+xml": "footer",
    ".footnotes+xml": "footnotes",
    ".endnotes+xml": "endnotes",
}
_WORD_TYPE = re.compile(r"^application/vnd\.(?:openxmlformats-officedocument\.wordprocessingml|ms-word)\.")
#: Content types a related header, footer or notes part may have: Word's, or the generic XML a
#: ``Default`` gives every ``.xml`` part in some packages.
_WORD_OR_XML = re.compile(_WORD_TYPE.pattern + r"|^(?:application|text)/xml$")
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: The package relationship to the main part (transitional and strict OOXML end the same way).
_OFFICE_DOCUMENT = "/officeDocument"
#: Relationship types (their last path segment) from the main part to the other story parts.
_RELATED_ROLES = {"header": "header", "footer": "footer", "footnotes": "footnotes", "endnotes": "endnotes"}
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_DIGITS = re.compile(r"(\d+)")


def xml_parser() -> etree.XMLParser:
    """No entity expansion, no network, no DTD loading, no unbounded trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def _declares_dtd(raw: bytes) -> bool:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 parts are legal XML too
        raw = raw.decode("utf-16", errors="ignore").encode("utf-8")
    return any(marker in raw for marker in _DTD_MARKERS)


def _compound_file_error(data: bytes, name: str) -> InputError:
    """What an OLE compound file given as .docx is: a password-protected .docx, or a Word 97-2003 .doc.

    Word encrypts a .docx into a compound file with ``EncryptionInfo`` and
    ``EncryptedPackage`` streams; a .doc has a ``WordDocument`` stream.  Stream
    names are stored in UTF-16 in the file's directory, so finding the name is
    enough to tell them apart (no compound-file reader is needed to refuse it).
    """
    if "EncryptedPackage".encode("utf-16-le") in data:
        return InputError("is password-protected (an encrypted Word file), so it cannot be read", path=name,
                          hint="open it in Word, remove the password (File > Info > Protect Document > "
                               "Encrypt with Password, clear it), save, and translate that copy")
    legacy = "WordDocument".encode("utf-16-le") in data
    kind = "a Word 97-2003 .doc file" if legacy else "an OLE compound file"
    return InputError(f"is {kind}, not a .docx (zip) file", path=name,
                      hint="open it in Word or LibreOffice and save it as Word Document (.docx)")


def _story_role(content_type: str) -> str:
    """The story role a content type gives a part ("" when it is no story part of a Word document)."""
    if not _WORD_TYPE.match(content_type):
        return ""
    return next((role for ending, role in STORY_TYPES.items() if content_type.endswith(ending)), "")


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a zip member name: relative to the source part's folder, or absolute."""
    parts = [] if target.startswith("/") else [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _natural(name: str) -> list[object]:
    """``header2.xml`` before ``header10.xml``."""
    return [int(piece) if piece.isdigit() else piece for piece in _DIGITS.split(name)]


@dataclass(frozen=True)
class StoryPart:
    """A part whose paragraphs are translated: the document, a header, a footer, the notes."""

    member: str
    role: str  # document, header, footer, footnotes, endnotes


@dataclass
class DocxPackage:
    """The checked zip of one .docx file; ``data`` is kept so untouched members are copied from it."""

    name: str
    data: bytes
    members: list[zipfile.ZipInfo] = field(default_factory=list)
    archive: zipfile.ZipFile | None = field(default=None, repr=False)
    _index: dict[str, zipfile.ZipInfo] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, data: bytes, name: str) -> DocxPackage:
        if data.startswith(CFB_MAGIC):
            raise _compound_file_error(data, name)
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - zipfile raises many kinds on damaged input; all mean the same
            raise InputError("not a DOCX (zip) file", path=name,
                             hint="give a Word .docx file (Word 2007 or later)") from None
        package = cls(name, data, archive.infolist(), archive)
        package._check_members()
        for info in package.members:
            xml = info.filename.lower().endswith((".xml", ".rels"))
            if xml and _declares_dtd(package.read(info.filename)):
                package._refuse(info.filename, "declares a DTD or entities, which Word never writes")
        return package

    def __getstate__(self) -> dict:
        """Picklable without the open zip (a lock inside): :meth:`read` opens it again from ``data``."""
        return {**self.__dict__, "archive": None}

    # -- checks --------------------------------------------------------------------------

    def _refuse(self, member: str, message: str, hint: str | None = None) -> None:
        raise InputError(f"{message}", path=self.name, where=f"member {member}", hint=hint)

    def _check_members(self) -> None:
        if len(self.members) > MAX_MEMBERS:
            raise InputError(f"zip has {len(self.members):,} members, over the {MAX_MEMBERS:,} limit",
                             path=self.name)
        seen: set[str] = set()
        total = 0
        for info in self.members:
            if info.filename in seen:
                self._refuse(info.filename, "appears twice in the zip")
            seen.add(info.filename)
            if info.flag_bits & 0x1:
                self._refuse(info.filename, "is encrypted", hint="remove the password in Word first")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                method = info.compress_type
                self._refuse(info.filename, f"uses compression method {method}, which Word never does")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_MIN_BYTES and ratio > MAX_RATIO:
                self._refuse(info.filename, f"expands {ratio:,.0f}:1 to {info.file_size:,} bytes: a zip bomb")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                self._refuse(info.filename,
                             f"uncompressed contents exceed the {MAX_TOTAL_BYTES:,}-byte limit (zip bomb?)")

    # -- reading -------------------------------------------------------------------------

    def info(self, member: str) -> zipfile.ZipInfo | None:
        if len(self._index) != len(self.members):
            self._index = {info.filename: info for info in self.members}
        return self._index.get(member)

    def read(self, member: str) -> bytes:
        """A member's bytes, never more than its declared (already checked) size."""
        info = self.info(member)
        if info is None:
            raise InputError("missing from the zip", path=self.name, where=f"member {member}")
        if self.archive is None:
            self.archive = zipfile.ZipFile(io.BytesIO(self.data))
        try:
            with self.archive.open(info) as handle:
                raw = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
            raise InputError(f"is corrupt: {error}", path=self.name, where=f"member {member}") from None
        if len(raw) != info.file_size:
            self._refuse(member, "is corrupt: its size differs from the zip directory's")
        return raw

    def parse(self, member: str) -> etree._Element:
        """A member's XML root; a DOCTYPE or malformed XML is an :class:`InputError`."""
        raw = self.read(member)
        if _declares_dtd(raw):
            self._refuse(member, "declares a DTD or entities, which Word never writes")
        try:
            root = etree.fromstring(raw, xml_parser())
        except etree.XMLSyntaxError as error:
            raise InputError(f"is not well-formed XML: {error}", path=self.name,
                             where=f"member {member}") from None
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            self._refuse(member, "declares a DTD or entities, which Word never writes")
        return root

    def content_type(self, member: str, types: etree._Element) -> str:
        """A part's content type as OPC resolves it: its ``Override``, else its extension's ``Default``."""
        wanted = "/" + member.lower()
        for override in types.iter(f"{_CT_NS}Override"):
            if (override.get("PartName") or "").lower() == wanted:
                return override.get("ContentType") or ""
        extension = member.rpartition(".")[2].lower() if "." in member.rpartition("/")[2] else ""
        for default in types.iter(f"{_CT_NS}Default"):
            if (default.get("Extension") or "").lower() == extension:
                return default.get("ContentType") or ""
        return ""

    def relationships(self, member: str) -> list[tuple[str, str]]:
        """``(type, target part)`` of a part's internal relationships (``""``: the package's own)."""
        folder, _, name = member.rpartition("/")
        rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if self.info(rels) is None:
            return []
        found = []
        for relationship in self.parse(rels).iter(f"{_REL_NS}Relationship"):
            target = relationship.get("Target") or ""
            if relationship.get("TargetMode") == "External" or not target:
                continue
            found.append((relationship.get("Type") or "", _resolve(folder, target)))
        return found

    def related(self, member: str, kind_ending: str) -> str:
        """The target of ``member``'s first relationship whose type ends with ``kind_ending`` ("" if none)."""
        return next((target for kind, target in self.relationships(member) if kind.endswith(kind_ending)), "")

    def story_parts(self) -> list[StoryPart]:
        """The parts to translate, the main document first.

        Found as OPC finds them: the main document through the package's
        ``officeDocument`` relationship, the headers, footers and notes through
        its relationships, each with its content type resolved (``Override``,
        else the ``Default`` of its extension, which .NET packaging writes);
        parts typed by an ``Override`` but not related are read too.
        """
        if self.info(CONTENT_TYPES) is None:
            raise InputError(f"no {CONTENT_TYPES}: not an Office document", path=self.name,
                             hint="give a Word .docx file")
        types = self.parse(CONTENT_TYPES)
        found: dict[str, str] = {}  # member -> role
        main = self.related("", _OFFICE_DOCUMENT)
        if self.info(main) is not None and _story_role(self.content_type(main, types)) == "document":
            found[main] = "document"
            for kind, target in self.relationships(main):
                role = _RELATED_ROLES.get(kind.rpartition("/")[2])
                content_type = self.content_type(target, types)
                if role and self.info(target) is not None and _WORD_OR_XML.match(content_type):
                    found.setdefault(target, role)
        for override in types.iter(f"{_CT_NS}Override"):
            member = (override.get("PartName") or "").lstrip("/")
            role = _story_role(override.get("ContentType") or "")
            if role and self.info(member) is not None:
                found.setdefault(member, role)
        if "document" not in found.values():
            raise InputError(f"no main document part ({MAIN_PART}): not a Word document", path=self.name,
                             hint="give a Word .docx file")
        order = list(STORY_TYPES.values())
        parts = [StoryPart(member, role) for member, role in found.items()]
        return sorted(parts, key=lambda part: (order.index(part.role), _natural(part.member)))

    # -- writing -------------------------------------------------------------------------

    def rewrite(self, replaced: dict[str, bytes]) -> bytes:
        """The zip with ``replaced`` members swapped in; every other member's content is unchanged."""
        if not replaced:
            return self.data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in self.members:
                content = replaced[info.filename] if info.filename in replaced else self.read(info.filename)
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                target.writestr(copy, content)
            if self.archive is not None:
                target.comment = self.archive.comment
        return out.getvalue()


def serialise(root: etree._Element, original: etree._Element) -> bytes:
    """A changed part, with the XML declaration its original had (Word writes ``standalone="yes"``)."""
    docinfo = original.getroottree().docinfo
    return etree.tostring(root, xml_declaration=True, encoding=docinfo.encoding or "UTF-8",
                          standalone=docinfo.standalone)
