"""Scoring translations: sacrebleu metrics over documents of any supported format.

One module per job: ``inputs`` (pairing files, reading units), ``align``
(Gale–Church sentence realignment), ``significance`` (bootstrap CIs, paired
tests via sacrebleu), ``fidelity`` (markup and structure kept), ``scoring``
(everything for a set of pairs), ``tables``/``html_report``/``plots`` (output),
``corpus`` (``translate eval``), ``comet`` (optional).
"""

from .metrics import ScoreReport, score_documents, score_files, score_terms
from .scoring import Evaluation, evaluate_pairs
from .significance import Comparison, compare_systems

__all__ = ["Comparison", "Evaluation", "ScoreReport", "compare_systems", "evaluate_pairs", "score_documents",
           "score_files", "score_terms"]
