"""Carry inline codes through an engine that sees plain text only (Bergamot-style).

A model never sees code characters: :func:`split_codes` removes them and
remembers where they stood in the plain source; the engine translates the plain
text and returns a :class:`~translate.engines.base.TokenAlignment`;
:func:`place_codes` puts every code back next to the target words aligned to the
source words it stood by.  Codes are never placed by searching for strings in
the output.

Guarantees of :func:`place_codes`, whatever the alignment: every code character
appears exactly once, every CLOSE follows its OPEN, and pairs nest properly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .document import CodeKind, InlineCode, is_code_char
from .engines.base import TermConstraint, TokenAlignment, Translation
from .glossary.forms import term_spans
from .nesting import nest_dangling

_WORD = re.compile(r"\w")


def split_codes(coded: str) -> tuple[str, list[tuple[int, str]]]:
    """Plain text for the model, and each code with its offset in that text.

    Removing a code can leave doubled whitespace (``"a \\ue000 b"`` -> ``"a  b"``) or
    whitespace at an edge (``"\\ue000 Judul"``); a whitespace character that follows
    removed codes directly after whitespace (or at the start) is dropped, and trailing
    whitespace is stripped, so the model sees clean text.  Offsets point into the
    cleaned text: a code stands before the plain character at its offset.
    """
    plain: list[str] = []
    codes: list[tuple[int, str]] = []
    after_code = False
    for char in coded:
        if is_code_char(char):
            codes.append((len(plain), char))
            after_code = True
        elif char.isspace() and after_code and (not plain or plain[-1].isspace()):
            continue  # whitespace doubled by the removal of a code
        else:
            plain.append(char)
            after_code = False
    text = "".join(plain)
    if codes and codes[-1][0] == len(text):
        text = text.rstrip()
    return text, [(min(offset, len(text)), char) for offset, char in codes]


@dataclass
class _Item:
    """A code, or an open+close pair, on its way into the target."""

    order: int  # position of the (first) code in the source's code list
    offset: int  # plain source offset of the (first) code
    chars: str  # the code character(s) it writes
    start: int = 0  # target insertion point (the open's for a pair)
    end: int = 0  # target insertion point of the close (pairs only)
    close: str = ""  # the close code of a pair
    close_key: tuple[int, int] = (0, 0)  # plain offset and code-list position of the close


class _Aligned:
    """What placement needs from an alignment: argmax links and word-safe boundaries."""

    def __init__(self, target: str, alignment: TokenAlignment | None) -> None:
        self.target = target
        self.source_spans: list[tuple[int, int]] = []
        self.target_spans: list[tuple[int, int]] = []
        self.weights: list[list[float]] = []
        self.links: list[int | None] = []  # best source token of each target token
        if alignment is not None:
            self._read(alignment)

    def _read(self, alignment: TokenAlignment) -> None:
        rows = min(len(alignment.target_spans), len(alignment.weights))
        n_source = len(alignment.source_spans)
        self.source_spans = list(alignment.source_spans)
        for t in range(rows):
            start, end = alignment.target_spans[t]
            if not 0 <= start < end <= len(self.target):
                continue  # empty or out-of-range span: nothing to hang a code on
            row = list(alignment.weights[t])[:n_source]
            self.target_spans.append((start, end))
            self.weights.append(row)
            best = max(range(len(row)), key=row.__getitem__) if row else None
            self.links.append(best if best is not None and row[best] > 0 else None)

    def source_tokens_in(self, start: int, end: int) -> set[int]:
        """Source tokens overlapping the plain source span [start, end)."""
        return {s for s, (a, b) in enumerate(self.source_spans) if a < b and a < end and b > start}

    def source_token_at(self, offset: int) -> int | None:
        """The source token at or right after ``offset``."""
        for s, (a, b) in enumerate(self.source_spans):
            if a < b and b > offset:
                return s
        return None

    def target_span_for(self, sources: set[int]) -> tuple[int, int] | None:
        """Minimal target span covering the tokens linked to ``sources`` (best-weighted one if none)."""
        linked = [t for t, s in enumerate(self.links) if s in sources]
        if not linked:
            scores = [sum(row[s] for s in sources if s < len(row)) for row in self.weights]
            if not scores or max(scores) <= 0:
                return None
            linked = [max(range(len(scores)), key=scores.__getitem__)]
        start = min(self.target_spans[t][0] for t in linked)
        end = max(self.target_spans[t][1] for t in linked)
        return self.snap_start(start), self.snap_end(end)

    def snap_start(self, pos: int) -> int:
        """Move left to the start of the word so a code never splits one."""
        while 0 < pos < len(self.target) and _is_word(self.target[pos - 1]) and _is_word(self.target[pos]):
            pos -= 1
        return pos

    def snap_end(self, pos: int) -> int:
        while 0 < pos < len(self.target) and _is_word(self.target[pos - 1]) and _is_word(self.target[pos]):
            pos += 1
        return pos


def _is_word(char: str) -> bool:
    return bool(_WORD.match(char))


def place_codes(plain_target: str, codes: list[tuple[int, str]], code_info: dict[str, InlineCode],
                alignment: TokenAlignment | None, keep_whole: Sequence[tuple[int, int]] = ()) -> str:
    """The coded target: ``plain_target`` with every code put back by word alignment.

    A pair wraps the target words aligned (argmax) to the source words it wrapped, or
    the target token best aligned to them, snapped out to word boundaries.  An
    isolated code (and an open or close whose partner is in another segment) goes
    before the target word aligned to the source word right after it; at the start
    of the source it stays at the start, at the end at the end.  Without any usable
    alignment codes go to the end in source order.  Crossing pairs are repaired by
    widening the pair that should be outer (see :func:`_repair_crossings`).
    No code goes inside a ``keep_whole`` span of the target (a glossary term the
    engine was made to write): an open moves to its start, anything else to its end.
    """
    aligned = _Aligned(plain_target, alignment)
    source_end = max((b for _, b in aligned.source_spans), default=0)
    pairs, singles = _items(codes, code_info)
    for item in singles:
        item.start = item.end = _single_position(aligned, item.offset, source_end)
    placed_pairs = []
    for item in pairs:
        span = aligned.target_span_for(aligned.source_tokens_in(item.offset, item.close_key[0]))
        if span is None or span[0] >= span[1]:
            item.start = item.end = _single_position(aligned, item.offset, source_end)
            item.chars += item.close  # collapsed: written as one unit, open then close
            item.close = ""
            singles.append(item)
        else:
            item.start, item.end = span
            placed_pairs.append(item)
    for item in singles:
        item.start = item.end = _outside(item.start, keep_whole, to_start=False)
    for item in placed_pairs:
        item.start, item.end = _outside(item.start, keep_whole, True), _outside(item.end, keep_whole, False)
    _separate_siblings(placed_pairs)
    _repair_crossings(placed_pairs)
    _hug_words(plain_target, placed_pairs)
    # A code whose partner is in another segment must not end up inside a pair of this one.
    return nest_dangling(_render(plain_target, placed_pairs, singles), [c for _, c in codes], code_info)


def _outside(position: int, spans: Sequence[tuple[int, int]], to_start: bool) -> int:
    """``position``, moved to the start or end of a span it falls strictly inside."""
    for start, end in spans:
        if start < position < end:
            return start if to_start else end
    return position


def _items(codes: list[tuple[int, str]], code_info: dict[str, InlineCode]) -> tuple[list[_Item], list[_Item]]:
    """Pairs whose both codes are in this segment, and everything else as single items."""
    where = {char: (offset, order) for order, (offset, char) in enumerate(codes)}
    pairs: list[_Item] = []
    singles: list[_Item] = []
    for order, (offset, char) in enumerate(codes):
        info = code_info.get(char)
        kind = info.kind if info is not None else CodeKind.ISOLATED
        close = info.pair if info is not None else None
        partner = where.get(close) if close else None
        if kind == CodeKind.OPEN and close and partner is not None and partner[1] > order:
            pairs.append(_Item(order, offset, char, close=close, close_key=partner))
        elif kind == CodeKind.CLOSE and partner is not None and partner[1] < order:
            continue  # written with its open
        else:
            singles.append(_Item(order, offset, char))
    return pairs, singles


def _single_position(aligned: _Aligned, offset: int, source_end: int) -> int:
    """Target point for a code that stood at plain source ``offset``."""
    end = len(aligned.target)
    if offset == 0:
        return 0
    token = aligned.source_token_at(offset)
    if token is None or offset >= source_end:
        return end
    span = aligned.target_span_for({token})
    return span[0] if span is not None else end


def _contains_in_source(outer: _Item, inner: _Item) -> bool:
    return outer.order < inner.order and inner.close_key[1] < outer.close_key[1]


def _separate_siblings(pairs: list[_Item]) -> None:
    """Keep pairs that were side by side in the source side by side in the target.

    When two source siblings land on overlapping target words, the overlap goes to
    one of them only (the later pair starts where the earlier ends, or the earlier
    ends where the later starts), provided both keep some words.  Nesting two
    siblings, ``**a **b** c**``, would change the formatting, and in Markdown it
    does not even parse back as two spans.
    """
    ordered = sorted(pairs, key=lambda item: item.order)
    for i, p in enumerate(ordered):
        for q in ordered[i + 1 :]:
            if _contains_in_source(p, q) or not (p.start < q.end and q.start < p.end):
                continue
            if p.start < q.start:  # p starts first: it keeps what comes before q
                p.end = min(p.end, q.start)
            elif q.end < p.end:  # q is at p's start: p keeps what comes after q
                p.start = max(p.start, q.end)
            elif p.end < q.end:  # same start, q longer: q keeps what comes after p
                q.start = p.end


def _hug_words(target: str, pairs: list[_Item]) -> None:
    """Move a pair's codes in over surrounding spaces: ``** a **`` is no emphasis in Markdown."""
    for item in pairs:
        while item.start < item.end and target[item.start].isspace():
            item.start += 1
        while item.end > item.start and target[item.end - 1].isspace():
            item.end -= 1


def _repair_crossings(pairs: list[_Item]) -> None:
    """Widen pairs until none cross (``<a><b></a></b>``).

    Of two crossing pairs, the one that contains the other in the source (or, for
    source siblings, the one starting first in the target) is widened to cover both,
    so the target nests like the source.  Spans only grow, so this ends.
    """
    changed = True
    while changed:
        changed = False
        for p in pairs:
            for q in pairs:
                if p is q or not (p.start < q.start < p.end < q.end):
                    continue
                outer = q if _contains_in_source(q, p) else p
                outer.start, outer.end = min(p.start, q.start), max(p.end, q.end)
                changed = True


def _render(target: str, pairs: list[_Item], singles: list[_Item]) -> str:
    """Insert the codes: at one point closes (inner first), then singles, then opens (outer first)."""
    inserts: list[tuple[int, int, tuple, str]] = []
    for item in pairs:
        inserts.append((item.start, 2, (-item.end, item.order), item.chars))
        inserts.append((item.end, 0, (-item.start, -item.order), item.close))
    for item in singles:
        inserts.append((item.start, 1, (item.offset, item.order), item.chars))
    inserts.sort(key=lambda x: (x[0], x[1], x[2]))
    parts: list[str] = []
    last = 0
    for position, _, _, chars in inserts:
        parts.append(target[last:position])
        parts.append(chars)
        last = position
    parts.append(target[last:])
    return "".join(parts)


class _Translator(Protocol):
    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None) -> list[Translation]: ...


def translate_coded(engine: _Translator, coded_texts: Sequence[str],
                    code_info_per_text: Sequence[dict[str, InlineCode]],
                    constraints: list[list[TermConstraint]] | None = None) -> list[str]:
    """Translate coded texts with an engine that takes plain text (``keeps_codes`` False).

    ``code_info_per_text[i]`` maps the code characters of ``coded_texts[i]`` to their
    :class:`InlineCode` (a block's ``codes`` will do).  Alignments are asked for only
    where a text has codes.  Returns the coded targets, in order.
    """
    return [t.text for t in translate_coded_results(engine, coded_texts, code_info_per_text, constraints)]


def translate_coded_results(engine: _Translator, coded_texts: Sequence[str],
                            code_info_per_text: Sequence[dict[str, InlineCode]],
                            constraints: list[list[TermConstraint]] | None = None) -> list[Translation]:
    """:func:`translate_coded`, keeping the engine's :class:`Translation` s: their ``text`` coded.

    Placing the codes changes the text only, so each result keeps the engine's
    ``score``, ``truncated`` and ``tokens`` for the plain text it translated.
    """
    if len(coded_texts) != len(code_info_per_text):
        raise ValueError(f"{len(coded_texts)} texts but {len(code_info_per_text)} code tables")
    split = [split_codes(text) for text in coded_texts]
    plains, wanted = [plain for plain, _ in split], [bool(codes) for _, codes in split]
    if constraints is None:
        translations = engine.translate(plains, align=wanted)
    else:
        translations = engine.translate(plains, align=wanted, constraints=constraints)
    results = []
    if len(translations) != len(coded_texts):
        raise ValueError(f"engine returned {len(translations)} translations for {len(coded_texts)} texts")
    terms = constraints if constraints is not None else [[] for _ in coded_texts]
    for coded, (_, codes), info, translation, wanted_terms in zip(
        coded_texts, split, code_info_per_text, translations, terms, strict=True
    ):
        if not codes:
            results.append(translation)
            continue
        keep = term_spans(translation.text, wanted_terms)
        target = place_codes(translation.text, codes, info, translation.alignment, keep)
        results.append(replace(translation, text=match_code_spacing(coded, target, info)))
    return results


def match_code_spacing(coded_source: str, coded_target: str, code_info: dict[str, InlineCode]) -> str:
    """Give isolated codes the spaces they had in the source (``"foto \\ue003 di"``).

    :func:`split_codes` folds a space around a standalone code away; placement puts the
    code against a word.  Where the source had whitespace on a side of an isolated code
    and the target has a non-space character there, a space is added.  A space is
    also added where the code's text would otherwise run into a target word
    (``3:00 AM WIB`` + ``the`` → ``WIBthe``) unless the source wrote them glued too.
    """
    out = coded_target
    for char in [c for c in coded_source if is_code_char(c)]:
        info = code_info.get(char)
        if info is None or info.kind != CodeKind.ISOLATED or char not in out:
            continue
        src = coded_source.index(char)
        before = coded_source[src - 1] if src > 0 else ""
        after = coded_source[src + 1] if src + 1 < len(coded_source) else ""
        at = out.index(char)
        next_char = out[at + 1] if at + 1 < len(out) else ""
        if next_char and not next_char.isspace() and (
            after.isspace() or (_glues(info.data[-1:], next_char) and not _glues(info.data[-1:], after))
        ):
            out = out[: at + 1] + " " + out[at + 1 :]
        previous = out[at - 1] if at > 0 else ""
        if previous and not previous.isspace() and (
            before.isspace() or (_glues(previous, info.data[:1]) and not _glues(before, info.data[:1]))
        ):
            out = out[:at] + " " + out[at:]
    return out


def _glues(left: str, right: str) -> bool:
    """Two characters that would read as one word when written side by side."""
    return bool(left) and bool(right) and left.isalnum() and right.isalnum()
