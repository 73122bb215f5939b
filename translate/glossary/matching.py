"""Finding glossary terms in Indonesian source text.

Leftmost-longest, word-bounded, tolerant of Indonesian clitics
(``Presidennya``, ``Jenewa-lah``), never across an inline code or a protected
span, so the constraint given to an engine is exactly the span that holds the
term.  Matching works on tokens (``\\w+`` runs, whitespace runs, single other
characters) walked through a trie of lower-cased term tokens: one dict look-up
per token, whatever the glossary size, and word boundaries come for free
because a term can only start and end on token edges.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ..document import is_code_char
from .entries import Problem, Term, normal

CLITICS = ("nya", "lah", "kah", "pun")  # Indonesian enclitics/particles written onto a word

_TOKEN = re.compile(r"\w+|\s+|.", re.DOTALL)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in coded text; ``surface`` is ``text[start:end]`` (clitic excluded)."""

    term: Term
    start: int
    end: int
    surface: str


class TrieNode:
    """A trie node keyed by lower-cased tokens (a single space stands for any whitespace)."""

    __slots__ = ("children", "terms")

    def __init__(self) -> None:
        self.children: dict[str, TrieNode] = {}
        self.terms: list[Term] = []


def build_trie(terms: Iterable[Term], exact_case_first: bool = True) -> TrieNode:
    """The terms by their source's token keys, in order; with ``exact_case_first``, at each node
    an exact-case entry comes first (it beats a case-insensitive one for the same key)."""
    root = TrieNode()
    for term in terms:
        node = root
        for key in term_keys(term.source):
            node = node.children.setdefault(key, TrieNode())
        node.terms.append(term)
    if exact_case_first:
        for node in _walk(root):
            node.terms.sort(key=lambda t: not t.case_sensitive)
    return root


@dataclass
class Glossary:
    """A list of terms plus the matcher built from them; treat it as immutable once matched."""

    terms: list[Term]
    warnings: list[Problem] = field(default_factory=list, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def digest(self) -> str:
        """A short hash of what changes matching and scoring, for run signatures.

        Notes and origins are left out and entries are sorted, so moving a line
        or rewording a note does not change the signature.
        """
        rows = sorted(
            "\t".join((t.source, t.target, "|".join(t.alternatives), t.category, str(t.case_sensitive)))
            for t in self.terms
        )
        return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()[:12]

    @cached_property
    def _trie(self) -> TrieNode:
        return build_trie(self.terms)

    def match(self, coded_text: str, protected: Sequence[tuple[int, int]] = ()) -> list[TermMatch]:
        """Every term in ``coded_text``, leftmost-longest and non-overlapping.

        ``protected`` spans (placeholders for URLs, numbers...) and inline code
        characters are walls: no match starts, ends or runs inside or across one.
        """
        starts, ends, keys = _tokenize(coded_text, protected)
        matches: list[TermMatch] = []
        i = 0
        while i < len(keys):
            found = self._longest_at(coded_text, starts, ends, keys, i)
            if found is None:
                i += 1
                continue
            match, i = found
            matches.append(match)
        return matches

    def _longest_at(self, text: str, starts: list[int], ends: list[int], keys: list[str | None],
                    i: int) -> tuple[TermMatch, int] | None:
        """The longest valid match starting at token ``i`` and the token index after it."""
        key = keys[i]
        if key is None or key == " ":
            return None
        node = self._trie
        best: tuple[TermMatch, int] | None = None
        j = i
        while j < len(keys) and (key := keys[j]) is not None:
            for clitic in CLITICS:  # "Presidennya": the term is the stem, the clitic stays outside
                if len(key) > len(clitic) and key.endswith(clitic):
                    stem = node.children.get(key[: -len(clitic)])
                    if stem is not None and stem.terms:
                        best = _pick(stem.terms, text, starts[i], ends[j] - len(clitic), j + 1) or best
            node = node.children.get(key)  # type: ignore[assignment]
            if node is None:
                break
            j += 1
            if node.terms:
                best = _pick(node.terms, text, starts[i], ends[j - 1], j) or best
        return best


def _walk(node: TrieNode) -> Iterator[TrieNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children.values())


def _pick(terms: list[Term], text: str, start: int, end: int,
          next_index: int) -> tuple[TermMatch, int] | None:
    """The first term of a trie node whose case rule accepts the surface."""
    surface = text[start:end]
    for term in terms:
        if not term.case_sensitive or _same_case(surface, term.source):
            return TermMatch(term, start, end, surface), next_index
    return None


def _same_case(surface: str, source: str) -> bool:
    """Exact comparison for case-sensitive entries, blind only to spacing and apostrophe style."""
    return normal(surface).translate(_APOSTROPHES) == normal(source).translate(_APOSTROPHES)


def _token_key(token: str) -> str | None:
    """The trie key of one token: lower-cased word, " " for any whitespace, None for a wall."""
    if token[0].isspace():
        return " "
    if is_code_char(token[0]):
        return None
    return token.translate(_APOSTROPHES).lower()


def term_keys(source: str) -> list[str]:
    """A source term's trie keys: its tokens lower-cased, whitespace as one space."""
    return [k for k in (_token_key(m.group()) for m in _TOKEN.finditer(source.strip())) if k is not None]


def _tokenize(text: str,
              protected: Sequence[tuple[int, int]]) -> tuple[list[int], list[int], list[str | None]]:
    """Token starts, ends and keys; tokens touching a protected span become walls (None)."""
    starts: list[int] = []
    ends: list[int] = []
    keys: list[str | None] = []
    for m in _TOKEN.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        keys.append(_token_key(m.group()))
    for span_start, span_end in protected:
        if span_end <= span_start:
            continue
        k = max(bisect_right(starts, span_start) - 1, 0)
        while k < len(starts) and starts[k] < span_end:
            if ends[k] > span_start:
                keys[k] = None
            k += 1
    return starts, ends, keys
