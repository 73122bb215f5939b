"""Post-editing effort: HTER of machine translation against its post-edit, and the segments left unchanged.

HTER (Snover et al., 2006) is TER with the post-edited text as the reference:
the edits (insertions, deletions, substitutions, block shifts) a post-editor
made per word of the post-edit.  It is computed by the scoring stack itself
(:func:`~translate.evaluate.scoring.evaluate_pairs` with the MT as hypothesis
and the post-edit as the one reference), so files or folders are paired by name,
any format is read, the level (line or unit, sentences realigned inside units
when the post-editor merged or split them) is chosen the same way, the same
bounds apply, and the number is sacrebleu's TER — case-insensitive, as tercom
and the WMT quality-estimation tasks compute HTER — with sacrebleu's signature
and a bootstrap 95% CI.

A segment is **unchanged** when its MT and post-edit are the same text, spaces
aside; case counts (TER ignores it, so a segment whose case alone was fixed has
HTER 0 but was changed).  Segments empty on both sides (blank lines of line
files) are neither: they are left out of both counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .inputs import pair_inputs
from .scoring import Evaluation, SegmentScore, evaluate_pairs
from .significance import DEFAULT_BOOTSTRAP, MetricResult


def _words(text: str) -> str:
    return " ".join(text.split())


def is_unchanged(segment: SegmentScore) -> bool:
    """The MT was kept as it is (whitespace aside)."""
    return _words(segment.hypothesis) == _words(segment.reference)


def has_text(segment: SegmentScore) -> bool:
    return bool(segment.hypothesis.strip() or segment.reference.strip())


@dataclass
class DocumentEffort:
    key: str
    machine: str  # the MT file
    post_edited: str  # the post-edited file
    level: str  # line, paragraph or block
    segments: int  # segments with text
    unchanged: int
    hter: float | None  # None when the document has no segment

    @property
    def unchanged_share(self) -> float | None:
        return 100 * self.unchanged / self.segments if self.segments else None

    def as_dict(self) -> dict:
        share = self.unchanged_share
        return {"document": self.key, "machine_translation": self.machine, "post_edited": self.post_edited,
                "level": self.level, "segments": self.segments, "unchanged": self.unchanged,
                "unchanged_share": None if share is None else round(share, 2),
                "HTER": None if self.hter is None else round(self.hter, 2)}


@dataclass
class PostEditEffort:
    """HTER and unchanged segments of a set of MT/post-edit pairs, over the scoring stack's segments."""

    evaluation: Evaluation  # MT scored against the post-edit: its TER is HTER
    documents: list[DocumentEffort] = field(default_factory=list)

    @property
    def hter(self) -> MetricResult:
        return self.evaluation.metric("TER")

    @property
    def segments(self) -> list[SegmentScore]:
        """The segments with text (see the module docstring)."""
        return [s for s in self.evaluation.segments if has_text(s)]

    @property
    def unchanged(self) -> int:
        return sum(d.unchanged for d in self.documents)

    @property
    def unchanged_share(self) -> float | None:
        total = sum(d.segments for d in self.documents)
        return 100 * self.unchanged / total if total else None

    @property
    def segment_signature(self) -> str:
        return self.evaluation.segment_signatures["TER"]

    def as_dict(self) -> dict:
        hter = self.hter.as_dict()
        share = self.unchanged_share
        return {
            "HTER": hter, "segments": len(self.segments), "unchanged": self.unchanged,
            "unchanged_share": None if share is None else round(share, 2),
            "level": self.evaluation.unit_name, "mode": self.evaluation.level,
            "level_reason": self.evaluation.level_summary, "documents": len(self.documents),
            "units": self.evaluation.units, "realigned_units": self.evaluation.realigned_units,
            "segment_signature": self.segment_signature,
            "per_document": [d.as_dict() for d in self.documents],
            "per_segment": [{"id": s.id, "document": s.document, "bead": s.bead, "HTER": round(s.ter, 2),
                             "unchanged": is_unchanged(s), "machine_translation": s.hypothesis,
                             "post_edited": s.reference} for s in self.segments],
            **({"notes": self.evaluation.notes} if self.evaluation.notes else {}),
        }


def post_edit_effort(machine: str | Path, post_edited: str | Path, level: str = "auto", fmt: str = "auto",
                     n_bootstrap: int = DEFAULT_BOOTSTRAP) -> PostEditEffort:
    """HTER and unchanged segments of MT against its post-edit: ``translate score --post-edited``.

    ``machine`` and ``post_edited`` are two files, or two folders whose files are paired by name.
    """
    pairs = pair_inputs(machine, [post_edited], None, level)
    evaluation = evaluate_pairs(pairs, level, fmt, None, n_bootstrap)
    by_document: dict[str, list[SegmentScore]] = {}
    for segment in evaluation.segments:
        if has_text(segment):
            by_document.setdefault(segment.document, []).append(segment)
    effort = PostEditEffort(evaluation)
    for document in evaluation.documents:
        segments = by_document.get(document.key, [])
        effort.documents.append(DocumentEffort(
            document.key, document.hypothesis, document.references[0], document.level, len(segments),
            sum(1 for s in segments if is_unchanged(s)), document.scores.get("TER")))
    return effort


__all__ = ["DocumentEffort", "PostEditEffort", "has_text", "is_unchanged", "post_edit_effort"]
