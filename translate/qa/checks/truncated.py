"""Empty or truncated output: nothing where the source has words, or a sentence cut short.

* **empty** (error): the source has letters, the target has neither letters nor digits.
* **truncated** (error): the engine reports that it stopped at its length limit
  (``--max-length`` tokens) before ending the sentence (:attr:`QAUnit.truncated`,
  from :attr:`translate.engines.base.Translation.truncated`): the output is cut,
  whatever it ends on.  Otherwise (and in files checked with ``translate qa``,
  which carry no such report) the cut is inferred: the source ends a sentence
  (``.``, ``!``, ``?``, ``…``, before any closing quotes or brackets), the target ends on neither of those
  nor ``:``/``;``, *and* the cut shows: the target ends on a word no English
  sentence ends on (:data:`OPEN_ENDINGS`: "the", "of", "and"...) or is shorter
  than any human translation of a source that long (below the ``length``
  check's range).  That is what an engine writes when it stops at
  ``--max-length`` tokens.  The second condition keeps English headlines quiet:
  a translator drops the period an Indonesian headline may carry (15 of the
  3,009 NTREX-128/FLORES-200 references would be flagged without it).
* **extra-text** (warning): target text with no source at all (a block of the
  target file that pairs with nothing in the source, see :mod:`translate.qa.pairing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import ERROR, WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register
from ..text import strip_edges
from .length import MIN_SOURCE, ratio_range, text_length

EMPTY = "empty"
TRUNCATED = "truncated"
EXTRA_TEXT = "extra-text"
_WORD = re.compile(r"[^\W\d_]+")
#: Quotes and brackets that may follow a sentence's final punctuation.
CLOSING = "\"'”’»›)]}"
SENTENCE_END = ".!?…"
CLAUSE_END = ":;"
#: Words an English sentence does not end on: articles, prepositions, conjunctions, auxiliaries.
OPEN_ENDINGS = frozenset(
    "the a an of to in on at for with and or but nor by from into onto than that which who whose whom "
    "is are was were be been being has have had will would can could should may might must shall "
    "its their his her our my your this these those as if because while although when where".split())


def final_mark(text: str) -> str:
    """The last character before closing quotes, brackets and spaces ("" for an empty text)."""
    stripped = strip_edges(text, CLOSING)
    return stripped[-1] if stripped else ""


def has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _open_ending(text: str) -> bool:
    words = _WORD.findall(text)
    return bool(words) and words[-1].lower() in OPEN_ENDINGS


def _too_short(source: str, target: str) -> bool:
    length = text_length(source)
    return length >= MIN_SOURCE and text_length(target) / length < ratio_range(length)[0]


@register
class TruncatedCheck(Check):
    name = "truncated"
    description = "empty output, or output ending mid-sentence (the engine hit --max-length?)"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = unit.source_plain.text, unit.target_plain.text
        if not source.strip():
            if target.strip():
                return [self.issue(unit, EXTRA_TEXT, WARNING, "text in the translation with no source text")]
            return []
        if not has_words(source):
            return []
        if not any(c.isalnum() for c in target):
            return [self.issue(unit, EMPTY, ERROR, "the translation is empty")]
        end = len(target.rstrip())
        if unit.truncated:
            return [self.issue(unit, TRUNCATED, ERROR,
                               "the engine stopped at its length limit before the sentence ended: raise "
                               "--max-length or split the sentence", target_span=(max(0, end - 1), end))]
        if (final_mark(source) in SENTENCE_END and final_mark(target) not in SENTENCE_END + CLAUSE_END
                and (_open_ending(target) or _too_short(source, target))):
            return [self.issue(unit, TRUNCATED, ERROR,
                               "the translation ends mid-sentence (cut at --max-length?)",
                               target_span=(max(0, end - 1), end))]
        return []
