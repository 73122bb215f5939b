"""Term metrics: term success rate (WMT25) and exact-match accuracy (WMT21).

The counting rules are documented on each function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import strip_codes
from ..errors import ScoreError
from .entries import Term
from .forms import target_pattern
from .matching import Glossary, TermMatch


@dataclass
class TermCount:
    found: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        """found / total; 0.0 when no source term occurred (check ``total``)."""
        return self.found / self.total if self.total else 0.0


@dataclass(frozen=True)
class TermMiss:
    """A source term occurrence whose target form was not found, for reports and QA."""

    segment: int
    term: Term


@dataclass
class TermScore:
    metric: str
    found: int
    total: int
    by_category: dict[str, TermCount]
    signature: str
    misses: list[TermMiss] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 0.0

    @property
    def score(self) -> float:
        """The rate as a percentage, on sacrebleu's scale."""
        return 100.0 * self.rate

    def as_dict(self) -> dict:
        return {
            "score": round(self.score, 2), "found": self.found, "total": self.total,
            "signature": self.signature,
            "by_category": {c: {"found": n.found, "total": n.total, "score": round(100 * n.rate, 2)}
                            for c, n in sorted(self.by_category.items())},
        }

    def __str__(self) -> str:
        return f"{self.metric} = {self.score:.2f} ({self.found}/{self.total}) {self.signature}"


def term_success_rate(sources: list[str], hypotheses: list[str], glossary: Glossary) -> TermScore:
    """Share of source term occurrences whose English form is in the hypothesis (WMT25 track 1).

    Following the WMT25 terminology task's term success rate (matched / total
    over glossary terms whose source occurs in a segment), with these choices:

    * source terms are found with :meth:`Glossary.match` (word-bounded,
      leftmost-longest, clitics tolerated), not by substring search;
    * every occurrence counts: a term occurring k times in a source segment
      needs k separate occurrences of a target form in that hypothesis
      (WMT25's script counts a term once per segment);
    * a target form is the target or any alternative, matched as whole words
      and **case-insensitively** ("president" counts for "President"), except
      for case-sensitive entries (acronyms), whose target must match exactly,
      so that "us" does not count for AS -> "US";
    * no lemmatisation (WMT25 also accepts stanza lemma matches).
    """
    return _score("term_success_rate", sources, hypotheses, glossary, exact=False)


def exact_match_accuracy(sources: list[str], hypotheses: list[str], glossary: Glossary) -> TermScore:
    """Share of source term occurrences whose target form appears exactly (WMT21 terminology task).

    As in the WMT21 shared task on MT using terminologies (Alam et al., 2021,
    "On the Evaluation of Machine Translation for Terminology Consistency",
    arXiv:2106.11891; script ``evaluate_term_wmt.py``, ``compare_EXACT``): each
    source term occurrence is one trial; it is correct when the target or an
    alternative appears in the hypothesis as whole words with **exactly the
    same case**, at a position not already used by another occurrence.  Unlike
    the task, source terms are found by :meth:`Glossary.match` (the task had
    annotated terms) and there is no lemma fallback.
    """
    return _score("exact_match_accuracy", sources, hypotheses, glossary, exact=True)


def _score(metric: str, sources: list[str], hypotheses: list[str], glossary: Glossary,
           exact: bool) -> TermScore:
    if len(sources) != len(hypotheses):
        raise ScoreError(f"source has {len(sources)} segments but hypothesis has {len(hypotheses)}",
                         hint="score files with one hypothesis line per source line")
    by_category: dict[str, TermCount] = {}
    misses: list[TermMiss] = []
    found = total = 0
    patterns: dict[Term, re.Pattern[str]] = {}
    for index, (source, hypothesis) in enumerate(zip(sources, hypotheses, strict=True)):
        counts = _segment_counts(glossary.match(source), strip_codes(hypothesis), exact, patterns)
        for term, wanted, got in counts:
            count = by_category.setdefault(term.category, TermCount())
            count.found += got
            count.total += wanted
            found += got
            total += wanted
            misses.extend(TermMiss(index, term) for _ in range(wanted - got))
    case = "exact" if exact else "insensitive"  # case-sensitive entries are always exact
    signature = f"{metric}|glossary:{glossary.digest()}|case:{case}|count:occurrence|match:word|version:1"
    return TermScore(metric, found, total, by_category, signature, misses)


def _segment_counts(matches: list[TermMatch], hypothesis: str, exact: bool,
                    patterns: dict[Term, re.Pattern[str]]) -> list[tuple[Term, int, int]]:
    """(term, occurrences in source, occurrences credited in hypothesis) for one segment.

    Longer target forms claim their hypothesis spans first, so "Minister" for
    Menteri cannot use up the one inside "Foreign Minister".
    """
    wanted: dict[Term, int] = {}
    for m in matches:
        wanted[m.term] = wanted.get(m.term, 0) + 1
    used: list[tuple[int, int]] = []
    counts = []
    for term in sorted(wanted, key=lambda t: -max(len(x) for x in t.targets)):
        pattern = patterns.get(term) or patterns.setdefault(term, target_pattern(term, exact))
        got = 0
        for found in pattern.finditer(hypothesis):
            if got == wanted[term]:
                break
            if all(found.end() <= s or found.start() >= e for s, e in used):
                used.append(found.span())
                got += 1
        counts.append((term, wanted[term], got))
    return counts
