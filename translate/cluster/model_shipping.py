"""The converted model, shipped once through Ray's object store and unpacked once per node.

No worker downloads or converts the model: the driver converts it (or takes a
converted directory given as ``--model``), reads its files into one
:class:`ModelFiles` and puts that into the object store once.  An actor asks
:func:`node_copy` for the model's directory on its node: the first actor of a
node fetches the files (Ray copies the object to the node once), writes them
into a temporary folder and renames it to ``<cache>/ct2/shipped/<content
hash>/``; an exclusive file lock (filelock) makes the other actors of that node
wait for it instead of writing a second copy, and every later run on the node
finds the copy in place and fetches nothing.

Written by hand: a converted CTranslate2 directory is a handful of flat files,
so a mapping of names to bytes ships it without an archive format (and without
an archive's path-traversal checks: a name must be a plain file name).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..engines.ct2_convert import METADATA, cache_root
from ..errors import ModelError

#: Hex digits of the content hash that name a node's copy (80 bits: no collision among a cache's models).
KEY_LENGTH = 20


@dataclass(frozen=True)
class ModelFiles:
    """A converted model's files by name, and the hash of their names and contents."""

    key: str
    files: dict[str, bytes]

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())


def content_key(files: dict[str, bytes]) -> str:
    """The hash of every file's name and bytes: equal models share a node's copy, another model never does."""
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:KEY_LENGTH]


def read_model(directory: str | Path) -> ModelFiles:
    """The files of a converted model directory (``translate model convert``'s output)."""
    directory = Path(directory)
    if not (directory / METADATA).is_file():
        raise ModelError(f"not a converted model directory (no {METADATA})", path=str(directory),
                         hint="convert it with: translate model convert --model DIR")
    entries = sorted(directory.iterdir())
    folders = [p.name for p in entries if p.is_dir()]
    if folders:
        raise ModelError(f"a converted model is flat, this one holds folders ({', '.join(folders)})",
                         path=str(directory), hint="convert the model again with: translate model convert")
    files = {p.name: p.read_bytes() for p in entries if p.is_file()}
    return ModelFiles(content_key(files), files)


def shipped_root() -> Path:
    """Where a node keeps the models shipped to it: ``$TRANSLATE_CACHE/ct2/shipped`` (or ``~/.cache/...``)."""
    return cache_root() / "shipped"


def node_copy(key: str, fetch: Callable[[], ModelFiles], root: Path | None = None) -> Path:
    """The model ``key``'s directory on this node: unpacked from ``fetch()`` unless it is there already."""
    from filelock import FileLock

    root = root if root is not None else shipped_root()
    place = root / key
    if place.is_dir():  # renamed into place only when complete
        return place
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / f"{key}.lock")):
        if place.is_dir():  # another actor of this node unpacked it while we waited
            return place
        model = fetch()
        if model.key != key or content_key(model.files) != key:
            raise ModelError(f"the shipped model's files do not match their hash {key}",
                             hint="run again; if it persists, the object store corrupts data")
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            for name, data in model.files.items():
                if Path(name).name != name or name in ("", ".", ".."):
                    raise ModelError(f"refusing a shipped model file named {name!r}: not a plain file name")
                (staging / name).write_bytes(data)
            os.rename(staging, place)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return place
