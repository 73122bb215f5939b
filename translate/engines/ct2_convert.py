"""Convert an opus-mt Marian model to CTranslate2, once, into a keyed cache.

Layout: ``$TRANSLATE_CACHE/ct2/`` (default ``~/.cache/translate/ct2/``), then
``<model key>/<revision>/<quantization>/``.  The model key is the hub id
(``Helsinki-NLP--opus-mt-id-en``) or, for a local directory, its name plus a
short hash of its absolute path and of its weight file's size and mtime (a
retrained model in the same place is converted again).  The revision is the
hub commit, or ``local``.

A conversion is written into a temporary directory beside its place and
renamed into it when complete, so an interrupted conversion never leaves a
half-converted model; an ``flock`` on ``<place>.lock`` makes a second process
wait for the first instead of converting twice.  The directory holds, besides
CTranslate2's ``model.bin`` and ``config.json``, the tokenizer files (``source.spm``,
``target.spm``, ``vocab.json``, ``tokenizer_config.json``) so that
translating needs neither transformers nor torch, and ``translate-ct2.json``
saying what it was made from.

Alignment: CTranslate2 returns the cross-attention of one decoder layer,
averaged over its first ``alignment_heads`` heads (by default the last layer,
first head only).  We convert with the layer and heads the marian engine
aligns with (penultimate layer, all heads averaged, see
:mod:`translate.engines.marian`), so both engines move inline codes alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .model_files import (
    ALIGN_LAYER,
    WEIGHT_FILES,
    cached_commit,
    is_local_path,
    model_directory,
    short_reason,
)

QUANTIZATIONS = ("int8", "int8_float32", "int16", "float16", "float32")
#: heads of ALIGN_LAYER whose cross-attention CTranslate2 averages (see module docstring)
ALIGN_HEADS = "all"
METADATA = "translate-ct2.json"
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")

Notify = Callable[[str], None]


log = logging.getLogger(__name__)


def _stderr(message: str) -> None:
    """The default ``notify``: a log record (the CLI shows ``translate``'s INFO records on stderr)."""
    log.info(message)


def cache_root() -> Path:
    """Where conversions live: ``$TRANSLATE_CACHE/ct2`` or ``~/.cache/translate/ct2``."""
    base = os.environ.get("TRANSLATE_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "translate"
    return root / "ct2"


def default_quantization(device: str) -> str:
    """int8 on a CPU (fastest there, 4x smaller), float16 on a GPU."""
    return "float16" if device.startswith("cuda") else "int8"


@dataclass(frozen=True)
class ConvertedInfo:
    """What a converted directory was made from (``translate-ct2.json``)."""

    model: str
    revision: str
    quantization: str
    align_layer: int
    align_heads: str
    ctranslate2: str
    max_positions: int  # the Marian config's max_position_embeddings: the longest input it reads


def _check_quantization(quantization: str) -> str:
    if quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization {quantization!r}",
                         hint=f"choose one of: {', '.join(QUANTIZATIONS)}")
    return quantization


def _local_key(directory: Path) -> str:
    directory = directory.resolve()
    stamp = [str(directory)]
    for name in WEIGHT_FILES:
        path = directory / name
        if path.is_file():
            stat = path.stat()
            stamp.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    digest = hashlib.sha256("\n".join(stamp).encode()).hexdigest()[:10]
    return f"{_safe(directory.name)}-{digest}"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "model"


def _hub_key(model: str) -> str:
    return _safe(model.replace("/", "--"))


def conversion_commit(model: str, revision: str | None) -> str | None:
    """The commit of a hub model's revision, from the hub cache or our own refs; no network."""
    commit = cached_commit(model, revision)
    if commit:
        return commit
    ref = cache_root() / _hub_key(model) / "refs" / _safe(revision or "main")
    return ref.read_text("utf-8").strip() if ref.is_file() else None


def converted_dir(model: str, revision: str | None, quantization: str) -> Path | None:
    """The place of this model's conversion (which may not exist yet), when it can be known offline."""
    _check_quantization(quantization)
    if is_local_path(model):
        directory = Path(model).expanduser()
        if not directory.is_dir():
            return None
        return cache_root() / _local_key(directory) / "local" / quantization
    commit = conversion_commit(model, revision)
    return cache_root() / _hub_key(model) / commit / quantization if commit else None


def find_converted(model: str, revision: str | None, quantization: str) -> Path | None:
    """A complete conversion already in the cache, else None."""
    place = converted_dir(model, revision, quantization)
    return place if place is not None and (place / METADATA).is_file() else None


def converted_directory(model: str) -> Path | None:
    """``model`` itself when it is a converted directory (``translate model convert``'s output,
    copied or mounted elsewhere: a slim install or a cluster worker translates with it as is)."""
    if not is_local_path(model):
        return None
    directory = Path(model).expanduser()
    return directory if (directory / METADATA).is_file() else None


def read_info(directory: Path) -> ConvertedInfo:
    return ConvertedInfo(**json.loads((directory / METADATA).read_text("utf-8")))


@contextlib.contextmanager
def _locked(lock_path: Path, notify: Notify) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path``; say so when another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, the atomic rename still protects
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            notify(f"waiting for another process converting into {lock_path.with_suffix('')} ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def convert_model(model: str, revision: str | None = None, quantization: str = "int8", force: bool = False,
                  notify: Notify = _stderr) -> Path:
    """Convert ``model`` (hub id or opus-mt directory) unless its conversion is cached; return its place."""
    _check_quantization(quantization)
    try:
        import ctranslate2
    except ImportError as exc:
        raise ModelError("ctranslate2 is not installed", hint="pip install 'ctranslate2>=4.3'") from exc
    if not is_local_path(model):
        known = None if force else find_converted(model, revision, quantization)
        if known is not None:
            return known
    source, commit = model_directory(model, revision)
    place = converted_dir(str(source), None, quantization) if commit == "local" else (
        cache_root() / _hub_key(model) / commit / quantization)
    assert place is not None
    with _locked(place.with_name(place.name + ".lock"), notify):
        if (place / METADATA).is_file() and not force:
            return place  # another process finished it while we waited
        notify(f"converting {model} to CTranslate2 ({quantization}), once, into {place} ...")
        place.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{place.name}.", dir=place.parent))
        try:
            _convert_into(source, staging / "model", quantization)
            config = json.loads((source / "config.json").read_text("utf-8"))
            info = ConvertedInfo(model, commit, quantization, ALIGN_LAYER, ALIGN_HEADS,
                                 ctranslate2.__version__, int(config.get("max_position_embeddings") or 512))
            (staging / "model" / METADATA).write_text(json.dumps(asdict(info), indent=1), "utf-8")
            if place.exists():  # --force: move the old one away first, then drop it
                old = staging / "old"
                place.rename(old)
            (staging / "model").rename(place)
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(f"cannot convert {model!r} to CTranslate2: {short_reason(exc)}",
                             hint="check that it is a Marian (opus-mt) model; --engine marian runs it "
                                  "without conversion") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if commit != "local":
        ref = cache_root() / _hub_key(model) / "refs" / _safe(revision or "main")
        ref.parent.mkdir(parents=True, exist_ok=True)
        ref.write_text(commit, "utf-8")
    return place


def _convert_into(source: Path, output: Path, quantization: str) -> None:
    """Run CTranslate2's own Transformers converter, aligned as the marian engine, plus tokenizer files."""
    import numpy as np
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as hf_logging

    class AlignedConverter(TransformersConverter):
        def _load(self) -> Any:
            spec = super()._load()
            decoder = spec.decoder
            decoder.alignment_layer = np.int16(ALIGN_LAYER)
            decoder.alignment_heads = np.int16(int(decoder.num_heads))  # all heads, averaged
            return spec

    hf_logging.disable_progress_bar()
    previous = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        AlignedConverter(str(source)).convert(str(output), quantization=quantization, force=True)
    finally:
        hf_logging.set_verbosity(previous)
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, output / name)
