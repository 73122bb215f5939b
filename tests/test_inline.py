"""Placing inline codes from word alignments: hand-made alignments, then random ones."""

from __future__ import annotations

import random
import re

import pytest
from format_suite import assert_coded_well_formed as assert_well_formed

from translate.document import CodeAllocator, CodeKind, is_code_char, strip_codes
from translate.engines.base import TokenAlignment
from translate.inline import match_code_spacing, place_codes, split_codes


def word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def alignment(source: str, target: str, links: dict[int, int | list[int]]) -> TokenAlignment:
    """Word-level alignment: target word t attends to source word(s) links[t]; others attend nowhere."""
    source_spans, target_spans = word_spans(source), word_spans(target)
    weights = []
    for t in range(len(target_spans)):
        linked = links.get(t, [])
        linked = [linked] if isinstance(linked, int) else linked
        weights.append([1.0 / len(linked) if s in linked else 0.0 for s in range(len(source_spans))])
    return TokenAlignment(source_spans, target_spans, weights)


@pytest.fixture
def codes() -> tuple[CodeAllocator, dict[str, str]]:
    alloc = CodeAllocator()
    b = alloc.code(CodeKind.OPEN, "**", "strong")
    b_end = alloc.code(CodeKind.CLOSE, "**", "strong", pair=b)
    i = alloc.code(CodeKind.OPEN, "*", "emphasis")
    i_end = alloc.code(CodeKind.CLOSE, "*", "emphasis", pair=i)
    img = alloc.code(CodeKind.ISOLATED, "![x](y.png)", "image")
    br = alloc.code(CodeKind.ISOLATED, "<br>", "break")
    return alloc, {"b": b, "/b": b_end, "i": i, "/i": i_end, "img": img, "br": br}


# -- split_codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coded", "plain", "offsets"),
    [
        ("Kata \ue000tebal\ue001 di sini", "Kata tebal di sini", [5, 10]),
        ("\ue000Judul\ue001", "Judul", [0, 5]),  # codes at start and end
        ("\ue000 Judul \ue001", "Judul", [0, 5]),  # whitespace at the edges goes
        ("foto \ue004 di sini", "foto di sini", [5]),  # doubled space collapsed
        ("a \ue000\ue001 b", "a b", [2, 2]),  # adjacent codes
        ("ber\ue000kata\ue001an", "berkataan", [3, 7]),  # inside a word
        ("a  b \ue000", "a  b", [4]),  # a double space not made by a code stays
        ("tanpa kode", "tanpa kode", []),
    ],
)
def test_split_codes(coded: str, plain: str, offsets: list[int]) -> None:
    text, found = split_codes(coded)
    assert text == plain
    assert [o for o, _ in found] == offsets
    assert [c for _, c in found] == [c for c in coded if is_code_char(c)]


def test_split_codes_offsets_reinsert_to_the_coded_text_modulo_space() -> None:
    coded = "\ue000Presiden\ue001 Joko \ue002 Widodo \ue003ber\ue004kata\ue005."
    plain, found = split_codes(coded)
    rebuilt = plain
    for offset, char in reversed(found):
        rebuilt = rebuilt[:offset] + char + rebuilt[offset:]
    assert rebuilt.split() == coded.replace("\ue002 ", "\ue002").split()
    assert strip_codes(coded).split() == plain.split()


# -- pairs ------------------------------------------------------------------------------


def test_identity_alignment_wraps_the_same_word(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"Kata {c['b']}tebal{c['/b']} di sini")
    target = "Word bold in here"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 1, 2: 2, 3: 3}))
    assert result == f"Word {c['b']}bold{c['/b']} in here"


def test_reversed_alignment_follows_the_word(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"satu {c['b']}dua{c['/b']} tiga empat")
    target = "four three two one"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 3, 1: 2, 2: 1, 3: 0}))
    assert result == f"four three {c['b']}two{c['/b']} one"


def test_one_to_many_wraps_every_target_word(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"satu {c['b']}dua{c['/b']} tiga")
    target = "one two too three"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 1, 2: 1, 3: 2}))
    assert result == f"one {c['b']}two too{c['/b']} three"


def test_span_is_minimal_contiguous_cover(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"{c['b']}satu dua{c['/b']} tiga empat")
    target = "one three two four"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 2, 2: 1, 3: 3}))
    assert result == f"{c['b']}one three two{c['/b']} four"


def test_unaligned_pair_goes_to_best_weighted_token(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"satu {c['b']}dua{c['/b']} tiga")
    target = "one two three"
    weights = [[0.9, 0.1, 0.0], [0.6, 0.4, 0.0], [0.0, 0.2, 0.8]]  # "dua" is nobody's argmax
    result = place_codes(target, found, alloc.codes,
                         TokenAlignment(word_spans(plain), word_spans(target), weights))
    assert result == f"one {c['b']}two{c['/b']} three"


def test_codes_never_split_a_target_word(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"ber{c['b']}kata{c['/b']} benar")
    target = "unbelievable truth"
    source_spans = [(0, 3), (3, 7), (8, 13)]  # ber | kata | benar
    target_spans = [(0, 2), (2, 8), (8, 12), (13, 18)]  # un | believ | able | truth
    weights = [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
    result = place_codes(target, found, alloc.codes, TokenAlignment(source_spans, target_spans, weights))
    assert result == f"{c['b']}unbelievable{c['/b']} truth"


def test_punctuation_token_stays_outside_the_pair(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"di {c['b']}Jakarta{c['/b']}, kemarin")
    target = "in Jakarta, yesterday"
    source_spans, target_spans = [(0, 2), (3, 10), (10, 11), (12, 19)], [(0, 2), (3, 10), (10, 11), (12, 21)]
    weights = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    result = place_codes(target, found, alloc.codes, TokenAlignment(source_spans, target_spans, weights))
    assert result == f"in {c['b']}Jakarta{c['/b']}, yesterday"


def test_crossing_siblings_are_kept_side_by_side(codes) -> None:
    alloc, c = codes
    coded = f"{c['b']}satu dua{c['/b']} {c['i']}tiga empat{c['/i']}"
    plain, found = split_codes(coded)
    target = "w0 w1 w2 w3"
    # b's words align to w0 and w2, i's to w1 and w3: the spans would cross.
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 2, 2: 1, 3: 3}))
    assert result == f"{c['b']}w0{c['/b']} {c['i']}w1 w2 w3{c['/i']}"
    assert_well_formed(result, alloc.codes, coded)


def test_siblings_on_the_same_words_are_not_nested(codes) -> None:
    alloc, c = codes
    coded = f"{c['b']}satu{c['/b']} dua {c['i']}tiga{c['/i']}"
    plain, found = split_codes(coded)
    target = "w0 w1 w2"
    # b aligns to w0..w2 as a whole, i to w1 only: i would sit inside b.
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 2, 2: 0}))
    assert result == f"{c['b']}w0{c['/b']} {c['i']}w1{c['/i']} w2"
    assert_well_formed(result, alloc.codes, coded)


def test_source_outer_pair_stays_outer_when_inner_moves(codes) -> None:
    alloc, c = codes
    coded = f"{c['b']}satu {c['i']}dua{c['/i']} tiga{c['/b']}"
    plain, found = split_codes(coded)
    target = "w0 w1 w2"
    # i (inner) moves to the end of the target; b (outer) still covers it.
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 2, 2: 1}))
    assert result == f"{c['b']}w0 w1 {c['i']}w2{c['/i']}{c['/b']}"
    assert_well_formed(result, alloc.codes, coded)


def test_nested_pairs_keep_their_nesting(codes) -> None:
    alloc, c = codes
    coded = f"{c['b']}{c['i']}satu{c['/i']} dua{c['/b']} tiga"
    plain, found = split_codes(coded)
    target = "one two three"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 1, 2: 2}))
    assert result == f"{c['b']}{c['i']}one{c['/i']} two{c['/b']} three"
    # Same words for both pairs: the source's outer pair stays outer.
    coded = f"{c['b']}{c['i']}satu{c['/i']}{c['/b']} dua"
    plain, found = split_codes(coded)
    result = place_codes("one two", found, alloc.codes, alignment(plain, "one two", {0: 0, 1: 1}))
    assert result == f"{c['b']}{c['i']}one{c['/i']}{c['/b']} two"


def test_no_alignment_puts_codes_at_the_end_in_order(codes) -> None:
    alloc, c = codes
    coded = f"Kata {c['b']}tebal{c['/b']} di {c['img']}sini"
    plain, found = split_codes(coded)
    expected = f"Some words{c['b']}{c['/b']}{c['img']}"
    assert place_codes("Some words", found, alloc.codes, None) == expected
    empty = TokenAlignment(word_spans(plain), [], [])
    assert place_codes("Some words", found, alloc.codes, empty) == expected


def test_empty_target_keeps_every_code(codes) -> None:
    alloc, c = codes
    coded = f"{c['img']} {c['b']}tebal{c['/b']}"
    _, found = split_codes(coded)
    result = place_codes("", found, alloc.codes, None)
    assert result == f"{c['img']}{c['b']}{c['/b']}"


# -- isolated codes ------------------------------------------------------------------------


def test_isolated_code_goes_before_the_word_aligned_to_the_next_source_word(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"foto {c['img']}di sini")
    target = "here photo"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 1, 1: 0}))
    assert result == f"{c['img']}here photo"  # "di" -> "here": the start of the target
    plain, found = split_codes(f"foto di {c['img']}sini")
    target = "photo here in"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 2, 2: 1}))
    assert result == f"photo {c['img']}here in"


def test_isolated_codes_at_start_and_end_stay_there(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"{c['img']}satu dua{c['br']}")
    target = "two one"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 1, 1: 0}))
    assert result == f"{c['img']}two one{c['br']}"


def test_open_whose_close_is_in_another_segment_is_placed_like_an_isolated_code(codes) -> None:
    alloc, c = codes
    plain, found = split_codes(f"satu {c['b']}dua tiga")  # the close is in the next segment
    target = "one two three"
    result = place_codes(target, found, alloc.codes, alignment(plain, target, {0: 0, 1: 1, 2: 2}))
    assert result == f"one {c['b']}two three"
    plain, found = split_codes(f"satu{c['/b']} dua")  # the open was in the previous one
    result = place_codes("one two", found, alloc.codes, alignment(plain, "one two", {0: 0, 1: 1}))
    assert result == f"one {c['/b']}two"


def test_match_code_spacing_restores_spaces_around_isolated_codes(codes) -> None:
    alloc, c = codes
    source = f"foto {c['img']} di sini"
    assert match_code_spacing(source, f"photo {c['img']}here", alloc.codes) == f"photo {c['img']} here"
    source = f"{c['img']} Judul"
    assert match_code_spacing(source, f"{c['img']}Title", alloc.codes) == f"{c['img']} Title"
    source = f"H{c['br']}O"  # no space in the source: none added
    assert match_code_spacing(source, f"H{c['br']}O", alloc.codes) == f"H{c['br']}O"


# -- guarantees under arbitrary alignments ----------------------------------------------------


def random_coded(rng: random.Random, alloc: CodeAllocator, words: list[str]) -> str:
    """A sentence with nested and sibling pairs, isolated codes and a dangling open."""
    out: list[str] = []
    stack: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < 0.25:
            stack.append(alloc.code(CodeKind.OPEN, "<b>", "b"))
            out.append(stack[-1])
        elif roll < 0.35:
            out.append(alloc.code(CodeKind.ISOLATED, "<img>", "img") + rng.choice(["", " "]))
        out.append(word)
        if stack and rng.random() < 0.4:
            out.append(alloc.code(CodeKind.CLOSE, "</b>", "b", pair=stack.pop()))
        out.append(" ")
    while stack:
        if rng.random() < 0.2:
            stack.pop()  # its close is in the next segment
        else:
            out.append(alloc.code(CodeKind.CLOSE, "</b>", "b", pair=stack.pop()))
    return "".join(out).strip()


@pytest.mark.parametrize("seed", range(40))
def test_every_code_once_and_properly_nested_for_random_alignments(seed: int) -> None:
    rng = random.Random(seed)
    alloc = CodeAllocator()
    words = [rng.choice(["satu", "dua", "tiga", "empat", "lima", "enam"]) for _ in range(rng.randint(1, 9))]
    coded = random_coded(rng, alloc, words)
    plain, found = split_codes(coded)
    vocabulary = ["one", "two", "three", "four,", "five."]
    target = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 10)))
    n_source, n_target = len(word_spans(plain)), len(word_spans(target))
    weights = [[rng.random() if rng.random() < 0.5 else 0.0 for _ in range(n_source)]
               for _ in range(n_target)]
    tokens = TokenAlignment(word_spans(plain), word_spans(target), weights)
    for candidate in (tokens, None):
        result = place_codes(target, found, alloc.codes, candidate)
        assert_well_formed(result, alloc.codes, coded)
        assert strip_codes(result) == target


def test_isolated_code_text_never_runs_into_a_target_word() -> None:
    alloc = CodeAllocator()
    time = alloc.code(CodeKind.ISOLATED, "3:00 AM WIB", "time")
    url = alloc.code(CodeKind.ISOLATED, "https://contoh.id", "url")
    source = f"pukul {time}, lihat{url}nya"  # punctuation after the time; the url glued in the source
    assert match_code_spacing(source, f"at{time}water{url}x", alloc.codes) == f"at {time} water{url}x"


def test_codes_never_split_a_forced_glossary_term(codes) -> None:
    from translate.engines.base import TermConstraint
    from translate.glossary import term_spans

    alloc, c = codes
    coded = f"Kata {c['img']} {c['b']}BMKG{c['/b']} hari ini"
    plain, found = split_codes(coded)
    target = "The Meteorology Agency said today"
    keep = term_spans(target, [TermConstraint(("Meteorology Agency", "BMKG"), "BMKG")])
    assert keep == [(4, 22)]
    # image and bold both align to "Agency" alone: without keep_whole they cut the term in two
    links = {0: 0, 1: 3, 2: 1, 3: 2, 4: 3}
    unkept = place_codes(target, found, alloc.codes, alignment(plain, target, links))
    assert f"Meteorology {c['img']}{c['b']}Agency" in unkept
    result = place_codes(target, found, alloc.codes, alignment(plain, target, links), keep)
    assert result == f"The {c['b']}Meteorology Agency{c['/b']}{c['img']} said today"
    assert_well_formed(result, alloc.codes, coded)
