"""Bounds on the work of one scoring run, checked before the work starts.

An input past a bound is refused with a message that names it and says what
to do; it is never discovered by running out of memory or by a run that does
not end.  The bounds (also in the README):

* :data:`MAX_SEGMENT_WORDS` — TER (sacrebleu's tercom) searches for block
  shifts in time that grows faster than the square of a segment's length: a
  1,000-word segment takes about 0.25 s when it is close to its reference and
  about a minute when it is not; a 200,000-word line would not finish.
  Segments are sentences or lines, so only a file holding whole documents on
  one line meets this bound.
* :data:`MAX_TOTAL_BYTES` of input per run (each file is also limited to
  :data:`translate.textio.MAX_INPUT_BYTES`): memory grows linearly with the
  text, about 100 MB plus 12× its size at the line level and 30× at the unit
  level (document model, sentences, realignment; measured by
  ``benchmarks/scoring.py``, figures in benchmarks/README.md), so this keeps a
  run under ~4 GB.
* the realignment's table, :data:`translate.evaluate.align.MAX_CELLS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import ScoreError

MAX_SEGMENT_WORDS = 1000
MAX_TOTAL_BYTES = 100 * 1024 * 1024


def check_total_size(paths: Iterable[Path]) -> None:
    """All input files together within :data:`MAX_TOTAL_BYTES`."""
    total = 0
    for path in dict.fromkeys(paths):
        try:
            total += path.stat().st_size
        except OSError:
            continue  # reported by the reader, with the reason
    if total > MAX_TOTAL_BYTES:
        raise ScoreError(f"the inputs hold {total:,} bytes, over the {MAX_TOTAL_BYTES:,}-byte limit of one "
                         "scoring run", hint="score the files in smaller groups and compare the results")


def check_segment_words(text: str, where: str) -> None:
    """One segment within :data:`MAX_SEGMENT_WORDS` (counted as TER counts them: between spaces)."""
    if len(text) <= MAX_SEGMENT_WORDS:  # fewer characters than the bound: fewer words too
        return
    words = len(text.split())
    if words > MAX_SEGMENT_WORDS:
        raise ScoreError(f"{where}: a segment of {words:,} words, over the {MAX_SEGMENT_WORDS:,}-word limit "
                         "(TER's time grows with the square of a segment's length)",
                         hint="split it into sentences, one per line, or score the files as documents "
                              "with --level unit, which splits paragraphs into sentences")
