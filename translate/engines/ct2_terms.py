"""Glossary terms for an engine without lexical constraints: check, then force with a prefix.

CTranslate2 has no constrained decoding, but it continues a translation after
a given ``target_prefix`` and returns the cross-attention.  So the ct2 engine:

1. decodes every segment normally (beam search, with attention);
2. for a segment whose output lacks terms (:func:`claim`: the text it spells
   has no whole-word occurrence of a term's form, in the glossary's casing),
   builds *one* prefix that holds every term
   (:func:`force_all`): each missing term goes before the target word whose
   attention falls most on the term's source words (:func:`insertion_point`),
   replacing the words that translate those source words
   (:func:`translated_span`); the output between the terms and the terms the
   output already had are kept as they are; the prefix ends after the last
   term.  CTranslate2 re-decodes from there and writes the rest of the
   sentence.  ``suppress_sequences`` forbids a word-continuation piece right
   after the prefix, so its last term stays a whole word ("Moscow", never
   "Moscowia");
3. checks again; a term that is still missing (only when something
   unforeseen happened, e.g. the length limit) is forced in a further round
   after the current prefix (:func:`force_next`).

The guarantee: every prefix holds the forced terms at word boundaries and only
grows from round to round (an output always starts with its prefix), and each
round forces at least one more term, so after at most as many rounds as the
segment has terms every term is in the output.  One round is the rule: a
re-decode costs as much as the first decode (CTranslate2 steps through a
prefix at the full beam width), so it is done once per segment.

Why not send failing segments to the torch constrained decoder instead: it
would load PyTorch and a second copy of the model (~+500 MB, against a 600 MB
budget for a whole run) and decode those segments several times slower; the
prefix approach keeps one model, one runtime, and costs one re-decode of only
the segments that miss a term.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .spm_tokenizer import SPIECE_UNDERLINE

IsContinuation = Callable[[str], bool]


def is_continuation(piece: str) -> bool:
    """A piece that glues onto the word before it: no ``▁``, starts with a letter or digit."""
    return piece[:1].isalnum()


@dataclass
class TermTokens:
    """One constraint of one segment in target pieces, and the source pieces it translates."""

    label: str
    alternatives: list[list[str]]  # allowed anywhere; the first is the one forced
    initial: list[list[str]] = field(default_factory=list)  # allowed at the output's start only
    source_pieces: list[int] = field(default_factory=list)  # empty: not found in the source


@dataclass
class Forcing:
    """A segment's forcing state: the prefix so far and where its forced terms are in it."""

    prefix: list[str] = field(default_factory=list)
    forced: dict[int, tuple[int, int]] = field(default_factory=dict)  # term index -> token span


def _surface(pieces: list[str]) -> tuple[str, list[int]]:
    """The text the pieces spell (``▁`` as a space) and where each piece starts in it."""
    starts: list[int] = []
    parts: list[str] = []
    position = 0
    for piece in pieces:
        text = piece.replace(SPIECE_UNDERLINE, " ")
        starts.append(position)
        parts.append(text)
        position += len(text)
    return "".join(parts), starts


def form_text(pieces: list[str]) -> str:
    """A term form's text from its pieces: ``["▁West", "▁Java"]`` → ``West Java``."""
    return _surface(pieces)[0].strip()


def _occurrences(text: str, starts: list[int], form: str, initial_only: bool) -> Iterator[tuple[int, int]]:
    """Token spans where ``form`` stands in ``text`` as whole words; an initial form only at the start."""
    for match in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text):
        if initial_only and text[: match.start()].strip():
            continue
        yield bisect_right(starts, match.start()) - 1, bisect_right(starts, match.end() - 1)


def claim(output: list[str], terms: list[TermTokens], forced: dict[int, tuple[int, int]] | None = None,
          ) -> tuple[dict[int, tuple[int, int]], list[int]]:
    """Where each term is in the output (token spans), and the indices of those it lacks.

    Checked on the text the output spells, as whole words with the glossary's
    casing (the capitalised form only at the start), so "(Moscow" or a
    differently split "▁Moscow" count as the term: the model wrote it.  Each
    occurrence serves one term only.  Forced terms hold their spans; the others
    claim, longest first, the first free occurrence of any of their forms.
    """
    spans = dict(forced or {})
    missing = []
    text, starts = _surface(output)
    forms = {i: [(form_text(alt), False) for alt in terms[i].alternatives]
             + [(form_text(alt), True) for alt in terms[i].initial] for i in range(len(terms))}
    order = sorted((i for i in range(len(terms)) if i not in spans),
                   key=lambda i: -max(len(form) for form, _ in forms[i]))
    for i in order:
        found = sorted((start, end) for form, initial_only in forms[i]
                       for start, end in _occurrences(text, starts, form, initial_only)
                       if all(end <= s or start >= e for s, e in spans.values()))
        if found:
            spans[i] = found[0]
        else:
            missing.append(i)
    return spans, sorted(missing)


def unmet(output: list[str], terms: list[TermTokens], forced: dict[int, tuple[int, int]] | None = None,
          ) -> list[int]:
    """Indices of the terms the output lacks (see :func:`claim`)."""
    return claim(output, terms, forced)[1]


def insertion_point(output: list[str], floor: int, term: TermTokens, attention: list[list[float]] | None,
                    n_source: int, is_cont: IsContinuation = is_continuation) -> int:
    """Where in ``output`` (at or after ``floor``) the term goes: before the word that translates it.

    That word is the target token at or after ``floor`` whose attention on the
    term's source pieces is largest; without attention or a source span, the
    place proportional to the term's place in the source.  Never inside a word.
    """
    starts = [i for i in range(floor, len(output)) if not is_cont(output[i])] + [len(output)]
    if floor >= len(output):
        return len(output)
    weights = attention or []
    rows = range(floor, min(len(output), len(weights)))
    if term.source_pieces and rows:
        best = max(rows, key=lambda t: sum(weights[t][s] for s in term.source_pieces
                                           if s < len(weights[t])))
    elif term.source_pieces and n_source:
        centre = (term.source_pieces[0] + term.source_pieces[-1] + 1) / 2 / n_source
        best = max(floor, min(len(output) - 1, int(centre * len(output))))
    else:
        return len(output)
    before = [i for i in starts if i <= best]
    return before[-1] if before else starts[0]


def force_next(output: list[str], state: Forcing, terms: list[TermTokens], missing: list[int],
               attention: list[list[float]] | None, n_source: int,
               is_cont: IsContinuation = is_continuation) -> list[str]:
    """Force the missing term that belongs earliest; update ``state`` and return the forced pieces."""
    floor = len(state.prefix)
    places = {i: insertion_point(output, floor, terms[i], attention, n_source, is_cont) for i in missing}
    chosen = min(missing, key=lambda i: (places[i], i))
    where = places[chosen]
    term = terms[chosen]
    pieces = term.initial[0] if where == 0 and term.initial else term.alternatives[0]
    state.prefix = output[:where] + pieces
    state.forced[chosen] = (where, where + len(pieces))
    return pieces


def translated_span(output: list[str], start: int, term: TermTokens, attention: list[list[float]] | None,
                    is_cont: IsContinuation = is_continuation) -> int:
    """The end of the words from ``start`` on that translate the term's source words.

    A target word translates them when each of its pieces attends most to one
    of the term's source pieces.  A term forced at ``start`` replaces those
    words, so the model's own rendering ("Moskva") does not stay beside the
    glossary's ("Moscow Moskva").  Without attention nothing is replaced.
    """
    if not attention or not term.source_pieces:
        return start
    source = set(term.source_pieces)
    end = start
    while end < len(output) and end < len(attention):
        word_end = end + 1
        while word_end < len(output) and is_cont(output[word_end]):
            word_end += 1
        rows = [attention[t] for t in range(end, min(word_end, len(attention)))]
        if not rows or not all(row and max(range(len(row)), key=row.__getitem__) in source for row in rows):
            break
        end = word_end
    return end


def force_all(output: list[str], state: Forcing, terms: list[TermTokens], attention: list[list[float]] | None,
              n_source: int, is_cont: IsContinuation = is_continuation) -> bool:
    """The first round: every term in one prefix, missing ones forced in place, present ones kept.

    The prefix is the output up to the end of its last term, with each missing
    term inserted before the word that translates it (that word and the words
    after it that also translate the term are dropped).  ``state`` (fresh)
    gets the prefix and every term's span in it.  False when no term is missing.
    """
    found, missing = claim(output, terms)
    if not missing:
        return False
    inserts = [(insertion_point(output, 0, terms[i], attention, n_source, is_cont), i) for i in missing]
    kept = [(span, i) for i, span in found.items()]
    prefix: list[str] = []
    forced: dict[int, tuple[int, int]] = {}
    cursor = 0
    events = sorted([(place, 1, i) for place, i in inserts] + [(span[0], 0, i) for span, i in kept])
    # kind 0 before 1 at the same place: a present term is kept, then a missing one follows it
    for place, kind, i in events:
        if kind == 0:  # a term the output has: keep the text up to its end
            start, end = found[i]
            if start < cursor:  # swallowed by a forced term's replaced words: force it again here
                kind, place = 1, cursor
            else:
                prefix += output[cursor:start]
                forced[i] = (len(prefix), len(prefix) + end - start)
                prefix += output[start:end]
                cursor = end
                continue
        place = max(place, cursor)
        prefix += output[cursor:place]
        term = terms[i]
        pieces = term.initial[0] if not prefix and term.initial else term.alternatives[0]
        forced[i] = (len(prefix), len(prefix) + len(pieces))
        prefix += pieces
        cursor = max(place, translated_span(output, place, term, attention, is_cont))
    state.prefix, state.forced = prefix, forced
    return True


def source_span_pieces(text: str, label: str, occurrence: int,
                       spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the source pieces covering the ``occurrence``-th match of ``label`` in ``text``.

    The glossary matched the term on the segment (case-insensitively, word by
    word, a clitic may follow); this finds it again on the plain text the
    engine got.  Empty when it cannot.
    """
    words = label.split()
    if not words:
        return []
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    found = list(pattern.finditer(text))
    if not found:
        return []
    match = found[min(occurrence, len(found) - 1)]
    return [k for k, (s, e) in enumerate(spans) if s < match.end() and e > match.start()]
