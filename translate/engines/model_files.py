"""Where an opus-mt model's files are: a local directory or a Hugging Face hub snapshot.

Both model engines read the same files (the marian engine through
transformers, the ct2 engine through CTranslate2's converter), so finding them
is done once, here: telling a hub id from a path, checking a directory holds
every file, finding a cached snapshot without the network, downloading the
missing files otherwise, and naming the commit a model came from.

Offline without waiting: huggingface_hub retries a refused connection five
times with back-off (about 24 s) before its error.  Before the first download
of a process the hub endpoint is probed once with one short request
(:func:`hub_unreachable`); when it cannot be reached, models come from the
cache as with ``HF_HUB_OFFLINE=1``, and a model that is not cached fails at
once with a :class:`ModelMissing` that says why.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

from ..errors import ModelError

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
#: Files a local opus-mt directory must hold (weights: one of WEIGHT_FILES).
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
#: Hub files read when present.
OPTIONAL_FILES = ("tokenizer_config.json", "generation_config.json", "special_tokens_map.json")
#: Decoder layer whose cross-attention aligns source and target, in both engines.  opus-mt
#: models have no trained alignment head; the penultimate layer is the most alignment-like
#: (Garg et al. 2019): the last attends to what predicts the *next* word, early ones are diffuse.
ALIGN_LAYER = -2
#: Seconds the one probe of the hub endpoint may take.
PROBE_TIMEOUT = 1.5

HOW_TO_PROVIDE = (
    "provide it with --model DIR (a local directory holding the opus-mt files: "
    "config.json, model.safetensors, source.spm, target.spm, vocab.json, tokenizer_config.json), "
    "or set HF_HUB_OFFLINE=1 with the model already in the Hugging Face cache, "
    "or set HF_HOME to a directory whose cache holds it"
)

_TRUE = {"1", "true", "yes", "on"}
_COMMIT = re.compile(r"[0-9a-f]{40}")
_SNAPSHOT = re.compile(r"snapshots[/\\]([0-9a-f]{40})[/\\]")
_probed: dict[str, str | None] = {}  # endpoint -> why it cannot be reached (None: it can)


class ModelMissing(ModelError):
    """The Marian model itself cannot be found or read: no engine can run it."""


def load_error(model: str, reason: str) -> ModelMissing:
    return ModelMissing(f"cannot load Marian model {model!r}: {reason}", hint=HOW_TO_PROVIDE)


def short_reason(exc: object) -> str:
    """The first line of an exception's message, at most 200 characters."""
    text = str(exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason if len(reason) <= 200 else reason[:197] + "..."


def is_local_path(model: str) -> bool:
    """A path (existing or meant as one) rather than a hub id like ``org/name``."""
    if Path(model).expanduser().exists():
        return True
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model


def is_commit(revision: str | None) -> bool:
    return bool(revision and _COMMIT.fullmatch(revision))


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def offline_requested() -> bool:
    """HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE, read when loading (huggingface_hub reads them at import)."""
    return _env_true("HF_HUB_OFFLINE") or _env_true("TRANSFORMERS_OFFLINE")


def hub_cache_dir() -> str | None:
    """The hub cache the environment names now (HF_HUB_CACHE, else HF_HOME/hub); None: the default."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.path.expanduser(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return os.path.join(os.path.expanduser(os.environ["HF_HOME"]), "hub")
    return None


def hub_endpoint() -> str:
    """HF_ENDPOINT as the environment says now, else huggingface_hub's default."""
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def hub_unreachable() -> str | None:
    """Why the hub endpoint cannot be reached (None when it answers), asked once per process.

    One request with a short timeout and no retries: any HTTP answer, even an
    error status, means the hub is there.
    """
    endpoint = hub_endpoint()
    if endpoint not in _probed:
        import urllib.error
        import urllib.request

        try:
            request = urllib.request.Request(endpoint, method="HEAD")
            urllib.request.urlopen(request, timeout=PROBE_TIMEOUT).close()
            _probed[endpoint] = None
        except urllib.error.HTTPError:  # an answer, if not a welcome one: the hub is there
            _probed[endpoint] = None
        except (OSError, ValueError) as exc:  # refused, no route, no name, timeout, bad URL
            reason = getattr(exc, "reason", None) or exc
            _probed[endpoint] = f"the hub at {endpoint} cannot be reached ({short_reason(reason)})"
    return _probed[endpoint]


def check_model_dir(model: str, directory: Path) -> Path:
    """A directory with every opus-mt file, or one ModelMissing listing what is missing."""
    if not directory.is_dir():
        raise load_error(model, f"no such directory {str(directory)!r}")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if not any((directory / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise load_error(model, f"directory {str(directory)!r} lacks {', '.join(missing)}")
    return directory


def cached_commit(model: str, revision: str | None) -> str | None:
    """The commit of a hub model's revision as the hub cache knows it; never the network."""
    if is_commit(revision):
        return revision
    snapshot = _cached_config(model, revision)
    match = _SNAPSHOT.search(snapshot) if snapshot else None
    return match.group(1) if match else None


def _cached_config(model: str, revision: str | None) -> str | None:
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model, "config.json", cache_dir=hub_cache_dir(), revision=revision)
    except Exception:  # an id the hub would reject: whoever downloads reports it
        return None
    return cached if isinstance(cached, str) else None


def model_directory(model: str, revision: str | None = None) -> tuple[Path, str]:
    """The directory holding a model's files and the revision to name it by.

    A local directory is checked and named ``local``; a hub id is resolved to its
    snapshot (from the cache when offline, downloading what is missing otherwise)
    and named by its commit.
    """
    if is_local_path(model):
        return check_model_dir(model, Path(model).expanduser()), "local"
    directory = check_model_dir(model, _hub_snapshot(model, revision))
    commit = directory.name if is_commit(directory.name) else (revision or "unresolved")
    return directory, commit


def _hub_snapshot(model: str, revision: str | None) -> Path:
    """The hub snapshot directory of ``model``: the cached one when offline, else downloaded."""
    unreachable = None if offline_requested() else hub_unreachable()
    if offline_requested() or unreachable:
        cached = _cached_config(model, revision)
        if cached is None:
            from huggingface_hub import constants

            where = hub_cache_dir() or constants.HF_HUB_CACHE
            why = unreachable or "downloads are off (HF_HUB_OFFLINE)"
            raise load_error(model, f"not in {where} and {why}")
        return Path(cached).parent
    return _download(model, revision)


def _download(model: str, revision: str | None) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.utils import EntryNotFoundError

    options: dict[str, Any] = {"cache_dir": hub_cache_dir(), "revision": revision}
    try:
        for name in REQUIRED_FILES:
            path = Path(hf_hub_download(model, name, **options))
        for name in OPTIONAL_FILES:
            with contextlib.suppress(EntryNotFoundError):
                hf_hub_download(model, name, **options)
        for name in WEIGHT_FILES:
            try:
                hf_hub_download(model, name, **options)
                break
            except EntryNotFoundError:
                continue
    except Exception as exc:  # network, bad id, gated repo...
        raise load_error(model, short_reason(exc)) from exc
    return path.parent
