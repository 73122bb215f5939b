"""Glossaries: load and check them, find their terms in Indonesian text, score and audit their use.

A glossary maps Indonesian source terms (places, titles, institutions...) to the
English form a newsroom wants.  One module per job:

* :mod:`.entries`: a term and a problem (the data);
* :mod:`.loading`: files and folders in, every problem out, then one error
  (:mod:`.tables` reads TSV/CSV, :mod:`.tbx` reads TBX, :mod:`.checks` looks
  across all terms);
* :mod:`.matching`: :class:`Glossary` and its source matcher;
* :mod:`.forms`: where a term's English forms stand in an output;
* :mod:`.metrics`: term success rate and exact-match accuracy;
* :mod:`.audit`: constraints for the engine and the per-occurrence audit of a run.
"""

from __future__ import annotations

from .audit import FIELDS, TermUse, audit_segment, constraints_for, match_terms, write_terms_report
from .entries import CATEGORIES, Problem, Term, default_case_sensitive
from .forms import target_pattern, term_spans
from .loading import FOLDER_SUFFIXES, TABLE_SUFFIXES, check_glossary, load_glossary
from .matching import CLITICS, Glossary, TermMatch
from .metrics import TermCount, TermMiss, TermScore, exact_match_accuracy, term_success_rate
from .tables import COLUMNS

__all__ = [
    "CATEGORIES",
    "CLITICS",
    "COLUMNS",
    "FIELDS",
    "FOLDER_SUFFIXES",
    "TABLE_SUFFIXES",
    "Glossary",
    "Problem",
    "Term",
    "TermCount",
    "TermMatch",
    "TermMiss",
    "TermScore",
    "TermUse",
    "audit_segment",
    "check_glossary",
    "constraints_for",
    "default_case_sensitive",
    "exact_match_accuracy",
    "load_glossary",
    "match_terms",
    "target_pattern",
    "term_spans",
    "term_success_rate",
    "write_terms_report",
]
