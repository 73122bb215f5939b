"""Checks that need every term at once: duplicates, conflicts, terms inside terms."""

from __future__ import annotations

from .entries import Problem, Term, origin_of
from .matching import term_keys


def _overlap(a: Term, b: Term) -> bool:
    """Whether two entries with the same lower-cased key can match the same text."""
    return not a.case_sensitive or not b.case_sensitive or a.source == b.source


def check_pairs(terms: list[Term]) -> list[Problem]:
    """Duplicates (same source, same target) and conflicts (same source, other target)."""
    groups: dict[tuple[str, ...], list[Term]] = {}
    for term in terms:
        groups.setdefault(tuple(term_keys(term.source)), []).append(term)
    problems = []
    for group in groups.values():
        for index, later in enumerate(group):
            earlier = next((t for t in group[:index] if _overlap(t, later)), None)
            if earlier is None:
                continue
            path, line = origin_of(later)
            if earlier.target == later.target:
                message = f"duplicate entry {later.source!r} -> {later.target!r} (also at {earlier.origin})"
            else:
                message = (f"conflicting targets for {later.source!r}: {later.target!r} here, "
                           f"{earlier.target!r} at {earlier.origin}")
            problems.append(Problem(path, line, message))
    return problems


def check_containment(terms: list[Term]) -> list[Problem]:
    """Warn where a term holds another one: the longer match wins, the shorter never fires there."""
    by_key: dict[tuple[str, ...], list[Term]] = {}
    for term in terms:
        by_key.setdefault(tuple(term_keys(term.source)), []).append(term)
    problems = []
    for term in terms:
        keys = term_keys(term.source)
        inner = []
        for i in range(len(keys)):
            for j in range(i + 1, len(keys) + 1):
                if (i, j) == (0, len(keys)) or " " in (keys[i], keys[j - 1]):
                    continue
                for other in by_key.get(tuple(keys[i:j]), ()):
                    if not other.case_sensitive or other.source in term.source:
                        inner.append(f"{other.source!r} ({other.origin})")
        if inner:
            path, line = origin_of(term)
            names = ", ".join(dict.fromkeys(inner))
            problems.append(Problem(path, line, f"{term.source!r} contains the term(s) {names}; "
                                                "the longest match wins", "warning"))
    return problems
