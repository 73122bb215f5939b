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
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .marian import (
    HOW_TO_PROVIDE,
    REQUIRED_FILES,
    WEIGHT_FILES,
    _is_local_path,
    _short_reason,
    hub_cache_dir,
    offline_requested,
)

QUANTIZATIONS = ("int8", "int8_float32", "int16", "float16", "float32")
#: decoder layer and heads whose cross-attention CTranslate2 returns (see module docstring)
ALIGN_LAYER = -2
ALIGN_HEADS = "all"
METADATA = "translate-ct2.json"
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
_OPTIONAL_HUB_FILES = ("tokenizer_config.json", "generation_config.json", "special_tokens_map.json")

Notify = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


class ModelMissing(ModelError):
    """The Marian model itself cannot be found or read: no engine can run it."""


def _load_error(model: str, reason: str) -> ModelError:
    return ModelMissing(f"cannot load Marian model {model!r}: {reason}", hint=HOW_TO_PROVIDE)


def _check_dir(model: str, directory: Path) -> Path:
    if not directory.is_dir():
        raise _load_error(model, f"no such directory {str(directory)!r}")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if not any((directory / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise _load_error(model, f"directory {str(directory)!r} lacks {', '.join(missing)}")
    return directory


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


def _cached_commit(model: str, revision: str | None) -> str | None:
    """The commit of a hub model's revision, from the hub cache or our own refs; no network."""
    if revision and re.fullmatch(r"[0-9a-f]{40}", revision):
        return revision
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model, "config.json", cache_dir=hub_cache_dir(), revision=revision)
    except Exception:  # an id the hub would reject: the conversion reports it
        cached = None
    match = re.search(r"snapshots[/\\]([0-9a-f]{40})[/\\]", cached) if isinstance(cached, str) else None
    if match:
        return match.group(1)
    ref = cache_root() / _hub_key(model) / "refs" / _safe(revision or "main")
    return ref.read_text("utf-8").strip() if ref.is_file() else None


def converted_dir(model: str, revision: str | None, quantization: str) -> Path | None:
    """The place of this model's conversion (which may not exist yet), when it can be known offline."""
    _check_quantization(quantization)
    if _is_local_path(model):
        directory = Path(model).expanduser()
        if not directory.is_dir():
            return None
        return cache_root() / _local_key(directory) / "local" / quantization
    commit = _cached_commit(model, revision)
    return cache_root() / _hub_key(model) / commit / quantization if commit else None


def find_converted(model: str, revision: str | None, quantization: str) -> Path | None:
    """A complete conversion already in the cache, else None."""
    place = converted_dir(model, revision, quantization)
    return place if place is not None and (place / METADATA).is_file() else None


def read_info(directory: Path) -> ConvertedInfo:
    return ConvertedInfo(**json.loads((directory / METADATA).read_text("utf-8")))


def _hub_snapshot(model: str, revision: str | None) -> Path:
    """The hub snapshot directory holding the opus-mt files, downloading what is missing."""
    try:
        from huggingface_hub import hf_hub_download
        from huggingface_hub.utils import EntryNotFoundError
    except ImportError as exc:  # pragma: no cover - transformers depends on it
        raise _load_error(model, "huggingface_hub is not installed") from exc
    options: dict[str, Any] = {"cache_dir": hub_cache_dir(), "revision": revision,
                               "local_files_only": offline_requested()}
    try:
        for name in REQUIRED_FILES:
            path = Path(hf_hub_download(model, name, **options))
        for name in _OPTIONAL_HUB_FILES:
            with contextlib.suppress(EntryNotFoundError):
                hf_hub_download(model, name, **options)
        for name in WEIGHT_FILES:
            try:
                hf_hub_download(model, name, **options)
                break
            except EntryNotFoundError:
                continue
    except Exception as exc:  # network, offline cache miss, bad id, gated repo...
        raise _load_error(model, _short_reason(exc)) from exc
    return path.parent


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
    if _is_local_path(model):
        source = _check_dir(model, Path(model).expanduser())
        commit = "local"
    else:
        known = None if force else find_converted(model, revision, quantization)
        if known is not None:
            return known
        source = _check_dir(model, _hub_snapshot(model, revision))
        commit = source.name if re.fullmatch(r"[0-9a-f]{40}", source.name) else (revision or "unresolved")
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
            raise ModelError(f"cannot convert {model!r} to CTranslate2: {_short_reason(exc)}",
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
