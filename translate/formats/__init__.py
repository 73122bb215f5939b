"""Registry of document formats: one module per format, imported when first used.

A format turns the bytes of a file into a :class:`~translate.document.Document`
(blocks not yet split into sentences) and a document back into bytes.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from ..document import Document
from ..errors import InputError

#: name -> "module:Class"; the only place formats are listed.
REGISTRY: dict[str, str] = {
    "text": "translate.formats.text:TextFormat",
    "markdown": "translate.formats.markdown:MarkdownFormat",
    "html": "translate.formats.html:HtmlFormat",
    "docx": "translate.formats.docx:DocxFormat",
}

#: file extension -> format name
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}


class Format(Protocol):
    name: str

    def read(self, data: bytes, name: str) -> Document:
        """Parse ``data`` (the file's bytes; ``name`` for messages and ids)."""

    def write(self, document: Document) -> bytes:
        """The translated document as bytes, in the same format."""


def get_format(name: str) -> Format:
    try:
        target = REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(REGISTRY))
        raise InputError(f"unknown format {name!r}", hint=f"choose one of: {valid}") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)()


def detect_format(path: str | Path) -> str:
    """The format name for a file's extension, or an error listing the known ones."""
    suffix = Path(path).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        known = " ".join(sorted(EXTENSIONS))
        raise InputError(
            f"unknown file extension {suffix or '(none)'!r}",
            path=str(path),
            hint=f"known extensions: {known}; or pass --format",
        ) from None
