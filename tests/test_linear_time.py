"""Readers, the segmenter and the localizer take time linear in the input, whatever its shape.

Each test times a pathological input (one word of 40,000 letters, a run of
dots, thousands of short lines...) against ordinary prose of the same size,
read the same way in the same test, and against a quarter of itself, so the
bounds are relative to a linear baseline on this machine, never a number of
seconds.  The inputs that were quadratic before took 100 to 1,000 times the
baseline at these sizes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from timing import seconds

from translate.formats import get_format
from translate.localize import find_quantities
from translate.segment import segment_document, split_sentences

#: A pathological input may cost this many times ordinary prose of its size (different
#: shapes do different work per character: 7,000 one-line blocks cost 17 times one
#: paragraph of prose in Markdown); a quadratic step costs hundreds of times.
FACTOR = 30
#: Four times the input may cost this many times more (linear: 4; quadratic: 16).
GROWTH = 8
PROSE = "Harga beras naik di pasar Jakarta, kata petugas. "


def prose(size: int, line: str = PROSE) -> str:
    return (line * (size // len(line) + 1))[:size]


def read(fmt: str, text: str) -> Callable[[], object]:
    data = text.encode("utf-8")
    return lambda: segment_document(get_format(fmt).read(data, "x"))


def assert_linear(fmt: str, shape: str, size: int = 40_000) -> None:
    baseline = seconds(read(fmt, prose(size)))
    small = seconds(read(fmt, prose(size // 4, shape)))
    spent = seconds(read(fmt, prose(size, shape)))
    assert spent < FACTOR * baseline, f"{spent:.3f} s against {baseline:.3f} s for prose"
    # the quarter-size time floored at a quarter of the prose time: a millisecond is mostly noise
    assert spent < GROWTH * max(small, baseline / 4), f"{spent:.3f} s against {small:.3f} s for a quarter"


SHAPES = {
    "one long word": "a" * 40_000,  # the e-mail pattern backtracked at every letter (25 s for 100,000)
    "one long number": "7" * 40_000,
    "a run of dots": "." * 40_000,  # the sentence-end pattern re-read the run at every dot
    "dots and digits": "1." * 20_000,
    "many short lines": "Baris.\n",  # the text reader rebuilt the block list per block
    "parenthesised sentences": "(Ia lahir 1950. Kini) dan ",  # every parenthesis checked per sentence end
    "many initials": "A. B. ",
    "many numbers": "12 ",
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_readers_and_segmenter_are_linear(fmt: str, shape: str) -> None:
    assert_linear(fmt, SHAPES[shape])


def test_sentence_splitter_is_linear_on_a_run_of_dots() -> None:
    size = 40_000
    baseline = seconds(lambda: split_sentences(prose(size)))
    assert seconds(lambda: split_sentences("." * size + "x")) < FACTOR * baseline


@pytest.mark.parametrize("shape", ["7" * 40_000, "1." * 20_000, "1,0" * 13_000, "Rp1." * 10_000,
                                   "12:" * 13_000, "1 " + " " * 40_000 + "x", "1990-" * 8_000])
def test_quantity_patterns_are_linear(shape: str) -> None:
    baseline = seconds(lambda: find_quantities(prose(len(shape), "Harga naik 12 persen kemarin. ")))
    assert seconds(lambda: find_quantities(shape)) < FACTOR * baseline
