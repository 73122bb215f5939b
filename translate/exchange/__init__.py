"""Exchange formats: files a translator's CAT tool opens (XLIFF 1.2, XLIFF 2.1, PO).

Each module turns a :class:`~translate.exchange.model.Bundle` (one document's units)
into bytes and back; :mod:`.export` builds bundles from translated documents,
:mod:`.importer` applies edited ones to the original, :mod:`.tmx` moves a
translation memory in and out.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from ..errors import InputError
from .model import Bundle

#: Where export puts the machine translation: in the target, to post-edit (every tool shows it as the
#: translation), or only as a match (XLIFF 1.2 ``<alt-trans>``, 2.1 ``<mtc:match>``, a PO comment) with
#: no target, so the tool shows the source to translate and offers the MT beside it.
MT_PLACES = ("target", "match")

#: name -> "module:Class"; the only place exchange formats are listed.
REGISTRY: dict[str, str] = {
    "xliff": "translate.exchange.xliff12:Xliff12",
    "xliff2": "translate.exchange.xliff21:Xliff21",
    "po": "translate.exchange.po:PoExchange",
}


class ExchangeFormat(Protocol):
    name: str
    extension: str

    def write(self, bundle: Bundle) -> bytes:
        """The bundle as a file."""

    def read(self, data: bytes, name: str) -> Bundle:
        """A file :meth:`write` wrote, edited by a translator (problems in ``unit.problems``)."""


def get_exchange(name: str) -> ExchangeFormat:
    try:
        target = REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(REGISTRY))
        raise InputError(f"unknown exchange format {name!r}", hint=f"choose one of: {valid}") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)()


def detect_exchange(path: str | Path, data: bytes) -> str:
    """``po`` by extension; XLIFF 1.2 or 2.x by the root's ``version`` (files often say only ``.xlf``)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".po", ".pot"):
        return "po"
    if suffix in (".xlf", ".xliff", ".sdlxliff", ".mqxliff"):
        head = data[:2000]
        return "xliff2" if b"urn:oasis:names:tc:xliff:document:2." in head else "xliff"
    raise InputError(
        f"unknown exchange file extension {suffix or '(none)'!r}",
        path=str(path),
        hint="import takes .xlf, .xliff or .po files written by `translate export`",
    )


__all__ = ["MT_PLACES", "REGISTRY", "Bundle", "ExchangeFormat", "detect_exchange", "get_exchange"]
