"""Untranslated output: the target is the source, or mostly Indonesian words.

How "Indonesian" is decided: a hand-written list of frequent Indonesian words
that are not English (``translate/data/qa_indonesian_words.txt``: function
words, numerals, a few news verbs), not a language identifier.  Why: the
question is not "which of 97 languages is this" but "did Indonesian sentences
stay in this English text", and English news about Indonesia is full of
Indonesian *names* (Hendra Wijanarko, Pondok Gede Permai), which character
n-gram identifiers read as Indonesian: py3langid restricted to en/id says "id"
for a byline "Hendra Wijanarko" and for "Site icon Kabarpesisir.co", while
none of their words is on the list.  Indonesian sentences, on the other hand,
are dense with function words.  Measured by ``benchmarks/qa_calibration.py`` on
the 3,009 NTREX-128/FLORES-200 pairs: the rule flags 95.3% of the Indonesian
sentences set as a "translation" and 0 of the English references; py3langid
flags 99.9% and 1 reference, and 4 of 6 English segments made of Indonesian
names.  The message names the words found, so a post-editor can see why.

* **identical** (error): the target equals the source (case, spacing and markup
  aside) and holds at least one listed word — a name, a URL or English
  boilerplate copied unchanged is right, so it is not flagged.  Nothing else is
  worth checking on such a unit: the runner keeps this finding alone.
* **indonesian** (error): at least :data:`MIN_WORDS` listed words making up at
  least :data:`MIN_SHARE` of the target's words.  Capitalised words count only
  at the start (``Dan``, ``Ada`` and ``Para`` are names in English text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from ..model import ERROR, QAContext, QAIssue, QAUnit
from ..registry import Check, register

UNTRANSLATED_IDENTICAL = "identical"
UNTRANSLATED_INDONESIAN = "indonesian"
#: At least this many listed words, and this share of all words, make a target "mostly Indonesian".
MIN_WORDS = 2
MIN_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@lru_cache(maxsize=1)
def indonesian_words() -> frozenset[str]:
    text = resources.files("translate.data").joinpath("qa_indonesian_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def listed_words(text: str, any_case: bool = False) -> tuple[list[str], int]:
    """(the listed Indonesian words of ``text``, the number of words)."""
    words = _WORD.findall(text)
    listed = indonesian_words()
    found = [w for i, w in enumerate(words)
             if w.lower() in listed and (any_case or i == 0 or w == w.lower())]
    return found, len(words)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


@register
class UntranslatedCheck(Check):
    name = "untranslated"
    description = "output equal to the source, or mostly Indonesian words"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = unit.source_plain.text, unit.target_plain.text
        if not _WORD.search(target):
            return []
        if _normal(source) == _normal(target):
            found, _count = listed_words(target, any_case=True)
            if found:
                return [self.issue(unit, UNTRANSLATED_IDENTICAL, ERROR,
                                   "the translation is the source, unchanged "
                                   f"(Indonesian words: {_few(found)})")]
            return []
        found, count = listed_words(target)
        if len(found) >= MIN_WORDS and len(found) >= MIN_SHARE * count:
            return [self.issue(unit, UNTRANSLATED_INDONESIAN, ERROR,
                               f"{len(found)} of {count} words are Indonesian ({_few(found)}): "
                               "not translated?")]
        return []


def _few(words: list[str], shown: int = 5) -> str:
    unique = list(dict.fromkeys(w.lower() for w in words))
    return ", ".join(unique[:shown]) + (", ..." if len(unique) > shown else "")
