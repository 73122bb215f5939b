"""Content controls bound to stored data (``w:sdt`` with ``w:dataBinding``): a cover page's title, author...

Word shows a bound control's value from the package's data store (the core
properties ``docProps/core.xml`` for title, subject and author, the extended
properties ``docProps/app.xml``, or a custom XML part such as the cover page
properties) and refreshes the control from it when the file opens; LibreOffice
does the same.  Translating the control's content alone would change nothing a
reader sees.

So a bound *plain-text* control (``w:text``) whose stored node is found, and
holds exactly the text the control shows, is translated like any other text,
and its new text is written to the stored node too (:meth:`Bindings.stored_values`).
Every other bound control (a date, a drop-down, a picture, rich text, one
showing its placeholder, one whose store or node cannot be found or holds
another value) is left exactly as it is, and the reader says so in the
document's warning (:meth:`Bindings.left_alone`).

Stores are found as Word finds them: the two property parts by their fixed
store ids, custom XML parts by the ``ds:itemID`` of their ``itemProps`` part.
The binding's XPath is evaluated by lxml with the control's prefix mappings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from ..errors import InputError
from .docx_package import DocxPackage
from .docx_paragraph import BREAKS, W_T, W

W_SDT = f"{W}sdt"
#: The store ids Word gives the core and extended document properties.
_PROPERTY_STORES = {
    "{6c3c8bc8-f283-45ae-878a-bab7291924a1}": "/metadata/core-properties",
    "{6668398d-a668-4e3e-a5eb-62b293d839f1}": "/extended-properties",
}
_DS_ITEM_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/customXml}itemID"
_MAPPING = re.compile(r"""xmlns:([\w.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")""")
#: Control types whose shown text is not the stored value as it is (or not text at all).
_NOT_PLAIN = frozenset(f"{W}{name}" for name in (
    "date", "comboBox", "dropDownList", "picture", "docPartObj", "docPartList", "citation",
    "bibliography", "equation", "group", "richText",
))  # fmt: skip


@dataclass(frozen=True)
class Bound:
    """A translatable bound control: the ``index``-th ``w:sdt`` of ``member``, and its stored node."""

    member: str
    index: int
    store: str  # the member holding the value
    xpath: str
    namespaces: tuple[tuple[str, str], ...]
    text: str  # what the control shows, as read


def sdts(root: etree._Element) -> list[etree._Element]:
    """The content controls of a part in document order (their indices name them)."""
    return list(root.iter(W_SDT))


def shown_text(sdt: etree._Element) -> str:
    """The text a plain-text control shows: its runs' text, tabs and breaks as ``\\t`` and ``\\n``."""
    content = sdt.find(f"{W}sdtContent")
    if content is None:
        return ""
    out = []
    for element in content.iter(W_T, *BREAKS):
        if element.tag == W_T:
            out.append(element.text or "")
        else:
            out.append("\t" if str(element.tag).endswith("tab") else "\n")
    return "".join(out)


class Bindings:
    """The data stores of one package, and the verdict on each bound control."""

    def __init__(self, package: DocxPackage) -> None:
        self.package = package
        self._stores: dict[str, str] | None = None
        self.roots: dict[str, etree._Element] = {}
        self.bound: list[Bound] = []
        self.frozen: dict[str, set[int]] = {}  # member -> indices of the controls left alone
        self.reasons: list[str] = []

    @property
    def stores(self) -> dict[str, str]:
        """Store id (lower case) -> member; looked for when the first bound control is met."""
        if self._stores is None:
            self._stores = self._find_stores()
        return self._stores

    def _find_stores(self) -> dict[str, str]:
        stores: dict[str, str] = {}
        for store_id, relationship in _PROPERTY_STORES.items():
            member = self.package.related("", relationship)
            if self.package.info(member) is not None:
                stores[store_id] = member
        for info in self.package.members:
            name = info.filename
            if not name.lower().startswith("customxml/") or "/_rels/" in name or not name.endswith(".xml"):
                continue
            try:  # a damaged custom XML part only means its controls are left alone
                properties = self.package.related(name, "/customXmlProps")
                if self.package.info(properties) is not None:
                    item_id = self.package.parse(properties).get(_DS_ITEM_ID) or ""
                    stores.setdefault(item_id.lower(), name)
            except InputError:
                continue
        return stores

    def _node(self, binding: etree._Element) -> tuple[str, str, tuple[tuple[str, str], ...]] | None:
        """``(store member, xpath, namespaces)`` when the binding names one element of a known store."""
        store = self.stores.get((binding.get(f"{W}storeItemID") or "").lower())
        xpath = binding.get(f"{W}xpath") or ""
        mappings = tuple((m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
                         for m in _MAPPING.finditer(binding.get(f"{W}prefixMappings") or ""))
        if store is None or not xpath:
            return None
        try:
            found = self.store_root(store).xpath(xpath, namespaces=dict(mappings))
        except (etree.XPathError, InputError):
            return None
        if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], etree._Element):
            return None
        return store, xpath, mappings

    def store_root(self, member: str) -> etree._Element:
        if member not in self.roots:
            self.roots[member] = self.package.parse(member)
        return self.roots[member]

    def read(self, member: str, root: etree._Element) -> None:
        """Judge every bound control of a story part: translated with its store, or left alone."""
        for index, sdt in enumerate(sdts(root)):
            binding = sdt.find(f"{W}sdtPr/{W}dataBinding")
            if binding is None:
                continue
            text = shown_text(sdt)
            reason = self._reason(sdt, binding, text)
            if reason is None:
                node = self._node(binding)
                assert node is not None
                self.bound.append(Bound(member, index, *node, text))
                continue
            self.frozen.setdefault(member, set()).add(index)
            if any(c.isalpha() for c in text):
                alias = sdt.find(f"{W}sdtPr/{W}alias")
                name = alias.get(f"{W}val") if alias is not None else ""
                self.reasons.append(f"'{name or text[:40]}' ({reason})")

    def _reason(self, sdt: etree._Element, binding: etree._Element, text: str) -> str | None:
        """Why a bound control cannot be translated with its store; ``None`` when it can."""
        properties = sdt.find(f"{W}sdtPr")
        assert properties is not None
        if properties.find(f"{W}text") is None or any(child.tag in _NOT_PLAIN for child in properties):
            return "not a plain-text control"
        if properties.find(f"{W}showingPlcHdr") is not None:
            return "showing its placeholder"
        node = self._node(binding)
        if node is None:
            return "its stored value was not found"
        store, xpath, mappings = node
        if self.store_root(store).xpath(f"string({xpath})", namespaces=dict(mappings)) != text:
            return "its stored value differs from the text shown"
        return None

    def left_alone(self) -> str:
        """The warning for the document ("" when every bound control is translated)."""
        if not self.reasons:
            return ""
        return ("content controls bound to document data left untranslated (Word shows the stored value): "
                + ", ".join(self.reasons) + "; translate them in Word, or in File > Info > Properties")

    def stored_values(self, member: str, root: etree._Element) -> Iterator[tuple[Bound, str]]:
        """``(bound control, its new text)`` for each translatable control of a rewritten part."""
        controls = sdts(root)
        for bound in self.bound:
            if bound.member == member and bound.index < len(controls):
                text = shown_text(controls[bound.index])
                if text != bound.text:
                    yield bound, text
