"""Scoring translations: sacrebleu metrics over documents of any supported format."""

from .metrics import ScoreReport, score_documents, score_files, score_terms

__all__ = ["ScoreReport", "score_documents", "score_files", "score_terms"]
