"""Registry of translation engines, imported when first used.

An engine's options are the keyword parameters of its class (or factory), so
the class declares them once.  :func:`create_engine` passes an engine only the
options that were given (``None`` stands for "not given": the engine's default)
and refuses one it does not take, naming it and the valid ones; so ``copy``
and ``pseudo`` never receive model options, and a misspelt or misplaced option
is an error instead of being ignored.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..errors import ModelError
from .base import Engine, TokenAlignment, Translation, options_of

#: name -> "module:Class"; the only place engines are listed.
REGISTRY: dict[str, str] = {
    "marian": "translate.engines.marian:MarianEngine",
    "ct2": "translate.engines.ct2:CTranslate2Engine",
    "auto": "translate.engines.ct2:create_auto_engine",
    "copy": "translate.engines.simple:CopyEngine",
    "pseudo": "translate.engines.simple:PseudoEngine",
}

__all__ = ["Engine", "TokenAlignment", "Translation", "REGISTRY", "create_engine", "engine_options"]


def _factory(name: str) -> Callable[..., Engine]:
    try:
        target = REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(REGISTRY))
        raise ModelError(f"unknown engine {name!r}", hint=f"choose one of: {valid}") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


def engine_options(name: str) -> tuple[str, ...]:
    """The options the engine registered as ``name`` takes."""
    return options_of(_factory(name))


def create_engine(name: str, **options: Any) -> Engine:
    """Build the engine registered as ``name`` with the options given (``None``: the engine's default)."""
    factory = _factory(name)
    given = {option: value for option, value in options.items() if value is not None}
    valid = options_of(factory)
    unknown = [option for option in given if option not in valid]
    if unknown:
        raise ModelError(f"engine {name!r} takes no option {unknown[0]!r}",
                         hint=f"its options: {', '.join(valid)}" if valid
                         else "it takes no options: drop the model options for it")
    return factory(**given)
