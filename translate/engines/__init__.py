"""Registry of translation engines, imported when first used."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import ModelError
from .base import Engine, TokenAlignment, Translation

#: name -> "module:Class"; the only place engines are listed.
REGISTRY: dict[str, str] = {
    "marian": "translate.engines.marian:MarianEngine",
    "ct2": "translate.engines.ct2:CTranslate2Engine",
    "auto": "translate.engines.ct2:create_auto_engine",
    "copy": "translate.engines.simple:CopyEngine",
    "pseudo": "translate.engines.simple:PseudoEngine",
}

__all__ = ["Engine", "TokenAlignment", "Translation", "REGISTRY", "create_engine"]


def create_engine(name: str, **options: Any) -> Engine:
    """Build the engine registered as ``name`` with its options (model, beam, ...)."""
    try:
        target = REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(REGISTRY))
        raise ModelError(f"unknown engine {name!r}", hint=f"choose one of: {valid}") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)(**options)
