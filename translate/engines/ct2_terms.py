"""Glossary terms for an engine without lexical constraints: check, then force with a prefix.

CTranslate2 has no constrained decoding, but it continues a translation after
a given ``target_prefix`` and returns the cross-attention.  So the ct2 engine:

1. decodes every segment normally (beam search, with attention);
2. for a segment whose output lacks a term (:func:`unmet`: no occurrence of
   the term's tokens that ends a word), picks where the term belongs: the
   target word whose attention falls most on the term's source words
   (:func:`insertion_point`), and re-decodes with ``target_prefix =
   output[:there] + term``; CTranslate2 writes the rest of the sentence after
   the term.  ``suppress_sequences`` forbids a word-continuation piece right
   after the term, so it stays a whole word ("Moscow", never "Moscowia");
3. repeats for the next missing term, never placing it before the current
   prefix.

The guarantee: each round *forces* one more of the segment's terms into the
prefix, which only grows (the new prefix extends the old one, and an output
always starts with its prefix), so forced terms stay, and after at most as
many rounds as the segment has terms every term is in the output.

Why not send failing segments to the torch constrained decoder instead: it
would load PyTorch and a second copy of the model (~+500 MB, against a 600 MB
budget for a whole run) and decode those segments several times slower; the
prefix approach keeps one model, one runtime, and costs a partial re-decode of
only the segments that miss a term.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

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


def _occurs(output: list[str], alt: list[str], start: int, is_cont: IsContinuation) -> bool:
    end = start + len(alt)
    return output[start:end] == alt and (end == len(output) or not is_cont(output[end]))


def unmet(output: list[str], terms: list[TermTokens], forced: dict[int, tuple[int, int]] | None = None,
          is_cont: IsContinuation = is_continuation) -> list[int]:
    """Indices of the terms the output lacks; each occurrence serves one term only.

    Forced terms hold their spans; the others claim, longest first, the first
    free occurrence of any of their forms that ends a word.
    """
    forced = forced or {}
    used = list(forced.values())
    missing = []
    order = sorted((i for i in range(len(terms)) if i not in forced),
                   key=lambda i: -max(len(a) for a in terms[i].alternatives + terms[i].initial))
    for i in order:
        term = terms[i]
        forms = [(alt, False) for alt in term.alternatives] + [(alt, True) for alt in term.initial]
        place = None
        for start in range(len(output)):
            for alt, initial_only in forms:
                end = start + len(alt)
                if (start == 0 or not initial_only) and _occurs(output, alt, start, is_cont) and \
                        all(end <= s or start >= e for s, e in used):
                    place = (start, end)
                    break
            if place:
                break
        if place is None:
            missing.append(i)
        else:
            used.append(place)
    return sorted(missing)


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
    rows = range(floor, min(len(output), len(attention))) if attention else range(0)
    if term.source_pieces and rows:
        best = max(rows, key=lambda t: sum(attention[t][s] for s in term.source_pieces
                                           if s < len(attention[t])))
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
