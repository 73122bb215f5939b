"""Checks of terms: what no term may hold, and what needs every term at once.

Per term (:func:`term_text_problems`, for every file format): control and
private-use characters, and a length bound.  Across terms: duplicates,
conflicts, terms inside terms.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..document import CODE_CHARS
from .entries import Problem, Term, origin_of
from .matching import TrieNode, build_trie, term_keys

#: The most words a term may have: the longest official names have about ten; a term of
#: hundreds of words is a misplaced tab, comma or quote that swallowed the lines after it.
MAX_TERM_WORDS = 30


def term_text_problems(path: str, line: int, texts: Iterable[str]) -> list[Problem]:
    """What no source or target form may hold, one problem per kind.

    A control character (a NUL byte...) never belongs in a term; a private-use
    character (U+E000-U+F8FF) stands for an inline code in the pipeline, so a
    term holding one could never be matched or written.
    """
    texts = list(texts)
    problems = []
    control = next((c for text in texts for c in text if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        problems.append(Problem(path, line, f"control character U+{ord(control):04X} in a term; remove it"))
    if any(CODE_CHARS.search(text) for text in texts):
        problems.append(Problem(path, line, "private-use character (U+E000-U+F8FF) in a term"))
    longest = max((len(text.split()) for text in texts), default=0)
    if longest > MAX_TERM_WORDS:
        problems.append(Problem(path, line, f"a term of {longest} words; a term has at most {MAX_TERM_WORDS} "
                                            "(a misplaced tab, comma or quote?)"))
    return problems


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


def override_layers(layers: list[list[Term]]) -> tuple[list[Term], list[Problem]]:
    """The terms of all layers, a later layer's entry replacing an earlier one's for the same source.

    An override with another target is a warning at the overriding line
    ("house.tsv:1: overrides places-world.tsv:42 'Moskwa' -> 'Moscow' (now
    'Moskva')"), so a house style is visible; the same entry repeated is a
    warning too.  The terms kept are in the order they were read in.
    """
    by_key: dict[tuple[str, ...], list[Term]] = {}
    dropped: set[int] = set()
    problems: list[Problem] = []
    for layer in layers:
        for term in layer:
            key = tuple(term_keys(term.source))
            for old in by_key.get(key, []):
                if id(old) in dropped or not _overlap(old, term):
                    continue
                dropped.add(id(old))
                path, line = origin_of(term)
                if old.targets != term.targets:
                    message = f"overrides {old.origin} {old.source!r} -> {old.target!r} (now {term.target!r})"
                else:
                    message = f"repeats {old.origin} {old.source!r} -> {old.target!r} (redundant)"
                problems.append(Problem(path, line, message, "warning"))
        for term in layer:
            by_key.setdefault(tuple(term_keys(term.source)), []).append(term)
    return [t for layer in layers for t in layer if id(t) not in dropped], problems


def check_containment(terms: list[Term]) -> list[Problem]:
    """Warn where a term holds another one: the longer match wins, the shorter never fires there.

    From each word of a term the trie of all terms is walked along the term's
    words, so the cost is the term's length times the depth of the terms found
    there, not the cube of its length (every span of it, copied).
    """
    trie = build_trie(terms, exact_case_first=False)  # glossary order: the message lists terms as written
    problems = []
    for term in terms:
        keys = term_keys(term.source)
        inner = []
        for i in range(len(keys)):
            if keys[i] == " ":
                continue
            node: TrieNode = trie
            for j in range(i, len(keys)):
                child = node.children.get(keys[j])
                if child is None:
                    break
                node = child
                if (i, j + 1) == (0, len(keys)):
                    continue
                inner += [f"{other.source!r} ({other.origin})" for other in node.terms
                          if not other.case_sensitive or other.source in term.source]
        if inner:
            path, line = origin_of(term)
            names = ", ".join(dict.fromkeys(inner))
            problems.append(Problem(path, line, f"{term.source!r} contains the term(s) {names}; "
                                                "the longest match wins", "warning"))
    return problems
