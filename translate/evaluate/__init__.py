"""Scoring translations: sacrebleu metrics over documents of any supported format.

One module per job: ``inputs`` (pairing files, choosing the level, reading
units), ``units`` (the text of a document's units and sentences), ``align``
(Gale–Church sentence realignment), ``metrics`` (the metric set and
per-segment statistics), ``significance`` (bootstrap CIs, paired tests),
``limits`` (bounds checked before work starts), ``fidelity`` (markup and
structure kept), ``scoring`` (everything for a set of pairs),
``tables``/``html_report``/``plots`` (output), ``compare`` (``translate
compare``), ``corpus`` (``translate eval``), ``comet`` (optional).
"""

from .compare import compare_files, compare_systems
from .scoring import Evaluation, evaluate_pairs, score_files, score_terms
from .significance import Comparison

__all__ = ["Comparison", "Evaluation", "compare_files", "compare_systems", "evaluate_pairs", "score_files",
           "score_terms"]
