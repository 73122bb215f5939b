"""Reading and writing files safely: size limit, encodings, binary detection, atomic writes."""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

from .errors import InputError, OutputError

#: Largest input accepted, in bytes.  A news article is 5-50 KB; 20 MB is a
#: book-sized file, far beyond any article, and small enough to hold in memory
#: several times over while it is translated.
MAX_INPUT_BYTES = 20 * 1024 * 1024

UTF8_BOM = codecs.BOM_UTF8


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The file's bytes, or an :class:`InputError` saying why they can't be had."""
    path = Path(path)
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError("is a folder, not a file", path=str(path))
        if size > limit:
            raise InputError(
                f"file is {size:,} bytes, over the {limit:,}-byte limit",
                path=str(path),
                hint="split it into smaller files",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", path=str(path)) from None


def refuse_binary(data: bytes, name: str) -> None:
    """Binary data (a NUL byte, which no text file holds) is an error naming its offset."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError("looks like a binary file (NUL byte), not text", path=name, where=f"byte {nul}",
                         hint="give a UTF-8 text file")


def decode_text(data: bytes, name: str) -> tuple[str, bool]:
    """Decode UTF-8 text; returns the text and whether it started with a BOM.

    Binary data (a NUL byte) and invalid UTF-8 are errors that name the byte
    offset, so the user can find the place with a hex viewer.
    """
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM):] if bom else data
    refuse_binary(data, name)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if bom else 0)
        line = body[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8: byte 0x{body[error.start]:02x} at byte offset {offset} (line {line})",
            path=name,
            hint="convert the file to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8",
        ) from None
    return text, bom


def encode_text(text: str, bom: bool) -> bytes:
    return (UTF8_BOM if bom else b"") + text.encode("utf-8")


def refuse_existing(path: Path, overwrite: bool) -> None:
    """Existing outputs are never replaced unless the user said so."""
    if path.exists() and not overwrite:
        raise OutputError("output exists", path=str(path),
                          hint="pass --overwrite to replace it, or --skip-existing to keep it")


def write_atomic(path: str | Path, data: bytes, overwrite: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place.

    An interrupted run therefore never leaves a half-written file: either the
    old state or the complete new file is there.
    """
    path = Path(path)
    refuse_existing(path, overwrite)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise OutputError(f"cannot write here: {error.strerror}", path=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
