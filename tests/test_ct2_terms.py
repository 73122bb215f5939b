"""Term checking and forcing for the ct2 engine, on token lists (no model needed)."""

from __future__ import annotations

from translate.engines.ct2_terms import (
    Forcing,
    TermTokens,
    claim,
    force_all,
    force_next,
    insertion_point,
    source_span_pieces,
    translated_span,
    unmet,
)

MOSCOW = TermTokens("Moskwa", [["▁Mos", "cow"]])
PRESIDENT = TermTokens("Presiden", [["▁president"]], initial=[["▁President"]])


def test_present_term_is_met_and_missing_one_is_not() -> None:
    output = ["▁He", "▁went", "▁to", "▁Mos", "cow", "."]
    assert unmet(output, [MOSCOW, PRESIDENT]) == [1]


def test_term_that_runs_into_the_next_word_is_missing() -> None:
    assert unmet(["▁in", "▁Mos", "cow", "ia"], [MOSCOW]) == [0]
    assert unmet(["▁in", "▁Mos", "cow", "'s"], [MOSCOW]) == []  # punctuation ends the word


def test_each_occurrence_serves_one_constraint() -> None:
    once = ["▁Mos", "cow", "▁and", "▁Kyiv"]
    assert unmet(once, [MOSCOW, MOSCOW]) == [1]
    assert unmet(once + ["▁Mos", "cow"], [MOSCOW, MOSCOW]) == []


def test_capitalised_variant_counts_only_at_the_start() -> None:
    assert unmet(["▁President", "▁spoke"], [PRESIDENT]) == []
    assert unmet(["▁The", "▁President", "▁spoke"], [PRESIDENT]) == [0]


def test_forced_spans_are_reserved() -> None:
    output = ["▁Mos", "cow", "▁is", "▁big"]
    assert unmet(output, [MOSCOW, MOSCOW], forced={0: (0, 2)}) == [1]


def test_insertion_goes_before_the_most_attended_word_and_never_inside_a_word() -> None:
    output = ["▁The", "▁capital", "▁Mosk", "va", "▁is", "▁big"]
    # the term's source piece is column 1; target token 3 ("va") attends to it most
    attention = [[1, 0], [1, 0], [0.6, 0.4], [0.1, 0.9], [1, 0], [1, 0]]
    term = TermTokens("Moskwa", [["▁Mos", "cow"]], source_pieces=[1])
    assert insertion_point(output, 0, term, attention, 2) == 2  # the start of "▁Mosk va"
    assert insertion_point(output, 4, term, attention, 2) == 4  # never before the floor


def test_insertion_without_attention_is_proportional() -> None:
    output = ["▁a", "▁b", "▁c", "▁d"]
    late = TermTokens("x", [["▁x"]], source_pieces=[7])
    assert insertion_point(output, 0, late, None, 8) == 3
    unknown = TermTokens("x", [["▁x"]])
    assert insertion_point(output, 0, unknown, None, 8) == 4  # unknown source: at the end


def test_force_next_extends_the_prefix_and_records_the_term() -> None:
    state = Forcing()
    output = ["▁He", "▁met", "▁the", "▁leader"]
    attention = [[1, 0], [1, 0], [0.5, 0.5], [0, 1]]
    terms = [TermTokens("Presiden", [["▁president"]], [["▁President"]], source_pieces=[1])]
    pieces = force_next(output, state, terms, [0], attention, 2)
    assert pieces == ["▁president"]
    assert state.prefix == ["▁He", "▁met", "▁the", "▁president"] and state.forced == {0: (3, 4)}
    # at the very start the capitalised variant is used
    start = Forcing()
    force_next(["▁leader", "▁spoke"], start, terms, [0], [[0, 1], [1, 0]], 2)
    assert start.prefix == ["▁President"]


def test_source_span_pieces_finds_the_nth_occurrence() -> None:
    text = "Presiden tiba di Moskwa dan di moskwa lagi."
    spans = [(0, 8), (9, 13), (14, 16), (17, 23), (24, 27), (28, 30), (31, 37), (38, 43)]
    assert source_span_pieces(text, "Moskwa", 0, spans) == [3]
    assert source_span_pieces(text, "Moskwa", 1, spans) == [6]
    assert source_span_pieces(text, "Jenewa", 0, spans) == []


def test_claim_gives_the_span_of_each_present_term() -> None:
    output = ["▁In", "▁Mos", "cow", ",", "▁the", "▁president", "▁spoke"]
    spans, missing = claim(output, [MOSCOW, PRESIDENT, MOSCOW])
    assert spans == {0: (1, 3), 1: (5, 6)} and missing == [2]


def test_translated_span_covers_the_words_attending_to_the_term() -> None:
    output = ["▁to", "▁Mosk", "va", "▁today", "."]
    term = TermTokens("Moskwa", [["▁Mos", "cow"]], source_pieces=[1])
    attention = [[1, 0, 0], [0.2, 0.8, 0], [0.1, 0.9, 0], [0, 0, 1], [0, 0, 1]]
    assert translated_span(output, 1, term, attention) == 3  # "▁Mosk va", not "▁today"
    assert translated_span(output, 0, term, attention) == 0  # "▁to" translates something else
    assert translated_span(output, 1, term, None) == 1  # no attention: replace nothing


def test_force_all_puts_every_missing_term_in_one_prefix_and_keeps_present_ones() -> None:
    # source pieces: 0 "Presiden", 1 "tiba", 2 "di", 3 "Moskwa", 4 "dan", 5 "Jawa Barat"
    president = TermTokens("Presiden", [["▁president"]], [["▁President"]], source_pieces=[0])
    moscow = TermTokens("Moskwa", [["▁Mos", "cow"]], source_pieces=[3])
    java = TermTokens("Jawa Barat", [["▁West", "▁Java"]], source_pieces=[5])
    output = ["▁The", "▁leader", "▁came", "▁to", "▁Mosk", "va", "▁and", "▁West", "▁Java", "▁then", "▁left"]
    one_hot = [0, 0, 1, 2, 3, 3, 4, 5, 5, 1, 1]
    attention = [[1.0 if s == k else 0.0 for s in range(6)] for k in one_hot]
    state = Forcing()
    assert force_all(output, state, [president, moscow, java], attention, 6)
    assert state.prefix == ["▁President", "▁came", "▁to", "▁Mos", "cow", "▁and", "▁West", "▁Java"]
    assert state.forced == {0: (0, 1), 1: (3, 5), 2: (6, 8)}
    assert unmet(state.prefix, [president, moscow, java], state.forced) == []
    # nothing missing: nothing to do
    assert not force_all(["▁President", "▁in", "▁Mos", "cow"], Forcing(), [president, moscow], None, 6)


def test_force_all_without_attention_still_forces_every_term() -> None:
    terms = [TermTokens("a", [["▁alpha"]], source_pieces=[0]),
             TermTokens("b", [["▁beta"]], source_pieces=[7])]
    state = Forcing()
    assert force_all(["▁w", "▁x", "▁y", "▁z"], state, terms, None, 8)
    assert state.prefix == ["▁alpha", "▁w", "▁x", "▁y", "▁beta"]
    assert unmet(state.prefix, terms, state.forced) == []


def test_a_term_is_found_on_the_text_whatever_the_split_or_punctuation_around_it() -> None:
    assert unmet(["▁in", "▁(", "Mos", "cow", ")", "."], [MOSCOW]) == []  # "(Moscow)."
    assert unmet(["▁in", "▁Moscow", "."], [MOSCOW]) == []  # split differently from the glossary's pieces
    assert unmet(["▁“", "Mo", "scow", "”"], [MOSCOW]) == []
    assert unmet(["▁Moscow", "ite"], [MOSCOW]) == [0]  # not a whole word
    assert unmet(["▁moscow"], [MOSCOW]) == [0]  # the glossary's casing
    spans, missing = claim(["▁in", "▁(", "Mos", "cow", ")"], [MOSCOW])
    assert spans == {0: (2, 4)} and missing == []
    state = Forcing()  # a present term is kept as the model wrote it; the missing one is forced
    president = TermTokens("Presiden", [["▁president"]], [["▁President"]], source_pieces=[0])
    assert force_all(["▁He", "▁went", "▁to", "▁(", "Mos", "cow", ")"], state, [president, MOSCOW], None, 4)
    assert state.prefix[:1] == ["▁President"] and state.prefix[-3:] == ["▁(", "Mos", "cow"]
    assert unmet(state.prefix, [president, MOSCOW], state.forced) == []
