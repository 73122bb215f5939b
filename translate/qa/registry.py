"""The registry of QA checks: one class per check, one module per class in :mod:`translate.qa.checks`.

Adding a check is adding one file there: a subclass of :class:`Check` decorated
with :func:`register`.  Every module of the package is imported when the
registry is first read, so nothing else lists the checks; ``--checks`` and
``--skip`` take the registered names.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from typing import ClassVar

from ..errors import InputError
from .model import QAContext, QAIssue, QAUnit

_REGISTRY: dict[str, type[Check]] = {}


class Check:
    """A reference-free check.  Override :meth:`check_unit`, or :meth:`check_document` to compare units."""

    name: ClassVar[str]
    description: ClassVar[str]  # one line, shown by ``translate qa --help``

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        return []

    def check_document(self, units: Sequence[QAUnit], context: QAContext) -> list[QAIssue]:
        """Findings for the units of one document (the default runs :meth:`check_unit` on each)."""
        return [issue for unit in units if unit.target is not None
                for issue in self.check_unit(unit, context)]

    def issue(self, unit: QAUnit, code: str, severity: str, message: str, **where) -> QAIssue:
        return unit.issue(self.name, code, severity, message, **where)


def register(cls: type[Check]) -> type[Check]:
    """Class decorator: make a check available under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"two QA checks named {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


def registry() -> dict[str, type[Check]]:
    """Every check by name, in the order they run and are listed."""
    from . import checks

    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))


def check_names() -> list[str]:
    return list(registry())


def select_checks(checks: Sequence[str] | None = None, skip: Sequence[str] = ()) -> list[Check]:
    """Instances of the chosen checks (all by default) minus ``skip``; unknown names are one error."""
    known = registry()
    wanted = list(checks) if checks else list(known)
    unknown = [name for name in [*wanted, *skip] if name not in known]
    if unknown:
        raise InputError(f"unknown QA check(s): {', '.join(unknown)}",
                         hint=f"choose from: {', '.join(known)}")
    return [known[name]() for name in known if name in wanted and name not in skip]


def parse_names(values: Sequence[str] | None) -> list[str]:
    """``--checks a,b --checks c`` → ``[a, b, c]``."""
    return [name.strip() for value in values or () for name in value.split(",") if name.strip()]
