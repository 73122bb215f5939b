"""Seeded fuzzing in the suite: every mutated input is a clean error or a correct round trip.

A few dozen small mutations per format (truncations, flipped bytes, huge lines,
deep nesting, many numbers, private-use characters, random inline markup) with
the ``copy`` and ``pseudo`` engines, and a few through the tiny Marian model.
``benchmarks/fuzz.py`` is the longer run, with a time cap per input.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.engines import create_engine
from translate.testing.fuzz import CLEAN_ERROR, EXTENSIONS, FAILURES, ROUND_TRIP, check, make_case, seed_files

COUNT = 24
SCALE = 5_000  # small additions: the suite stays fast; the benchmark uses 50,000
#: Failures found by the fuzzer in modules other sessions own, reported to them; any other fails the test.
#: (``<b\x1e``: the HTML lexer's ``\s`` is not HTML whitespace; found by benchmarks/fuzz.py, html 14 at scale
#: 50,000.)
KNOWN: dict[str, str] = {}


def failures(fmt: str, engine_name: str, count: int = COUNT) -> list[str]:
    engine = create_engine(engine_name)
    found = []
    for index in range(count):
        case = make_case(fmt, index, seed=0, scale=SCALE)
        outcome = check(case, engine)
        assert outcome.kind in (CLEAN_ERROR, ROUND_TRIP, *FAILURES)
        if outcome.kind in FAILURES and case.label not in KNOWN:
            found.append(f"{case.label} from {case.seed_file}: {outcome.kind}\n{outcome.detail}")
    return found


@pytest.mark.parametrize("engine", ["copy", "pseudo"])
@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_mutated_inputs_are_clean_errors_or_round_trips(fmt: str, engine: str) -> None:
    assert not failures(fmt, engine), "\n\n".join(failures(fmt, engine))


def test_generation_is_deterministic_and_varied() -> None:
    for fmt in EXTENSIONS:
        cases = [make_case(fmt, i, seed=7, scale=SCALE) for i in range(COUNT)]
        assert [c.data for c in cases] == [make_case(fmt, i, seed=7, scale=SCALE).data for i in range(COUNT)]
        assert len({c.data for c in cases}) == COUNT
        assert len({m for c in cases for m in c.mutations}) >= 6
        assert len(seed_files(fmt)) >= 2


def test_the_checker_tells_failures_from_clean_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle itself: a crash and a changed copy are failures, a refused input is not."""
    from translate.formats.text import TextFormat

    case = make_case("text", 0, scale=SCALE)
    assert check(case, create_engine("copy")).kind in (CLEAN_ERROR, ROUND_TRIP)
    garbled = case.__class__(case.format, 0, "", ("flip",), b"\xff\xfe")
    assert check(garbled, create_engine("copy")).kind == CLEAN_ERROR
    write = TextFormat.write
    monkeypatch.setattr(TextFormat, "write", lambda self, doc: write(self, doc) + b"!")
    assert check(make_case("text", 1, scale=SCALE), create_engine("copy")).kind == "bad round trip"
    monkeypatch.setattr(TextFormat, "read", lambda self, data, name: None.start)
    assert check(make_case("text", 1, scale=SCALE), create_engine("copy")).kind == "exception"


def test_a_few_mutated_inputs_through_the_tiny_model(tiny_model_dir: Path) -> None:
    """The engine path that removes codes and puts them back (inline.py), on the shortest samples."""
    engine = create_engine("marian", model=str(tiny_model_dir), beam=1, max_length=8)
    for fmt in EXTENSIONS:
        shortest = [min(seed_files(fmt), key=lambda p: p.stat().st_size)]
        for index in range(2):
            case = make_case(fmt, index, seed=1, scale=300, files=shortest)
            outcome = check(case, engine)
            assert outcome.kind in (CLEAN_ERROR, ROUND_TRIP), f"{case.label}: {outcome.detail}"
