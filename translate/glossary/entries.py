"""What a glossary is made of: terms, and the problems found in the files that list them."""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = ("place", "title", "organization", "person", "other")

_ACRONYM = re.compile(r"(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,6}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Term:
    """One glossary entry; ``origin`` ("file:line") lets every message point back at it."""

    source: str
    target: str
    alternatives: tuple[str, ...] = ()
    category: str = "other"
    case_sensitive: bool = False
    note: str = ""
    origin: str = ""

    @property
    def targets(self) -> tuple[str, ...]:
        """Every accepted English form, the preferred one first."""
        return (self.target, *self.alternatives)


@dataclass(frozen=True)
class Problem:
    """One finding of the checker; errors stop loading, warnings are for the editor."""

    path: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


def normal(text: str) -> str:
    """Whitespace runs squashed to one space: what the loaders store."""
    return _SPACE.sub(" ", text).strip()


def default_case_sensitive(source: str) -> bool:
    """Acronyms (PM, AS, DPR, TNI, G20) are case-sensitive unless an entry says otherwise.

    Otherwise "AS" (Amerika Serikat) would match the everyday word "as" (axle).
    """
    return bool(_ACRONYM.fullmatch(source))


def origin_of(term: Term) -> tuple[str, int]:
    """The file and line a term came from (line 0 when unknown)."""
    path, _, line = term.origin.rpartition(":")
    return (path, int(line)) if line.isdigit() else (term.origin, 0)
