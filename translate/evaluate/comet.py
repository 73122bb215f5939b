"""COMET, as an optional extra: used only when unbabel-comet and a local model are there.

COMET correlates better with human judgements than BLEU or chrF, but needs a
~2 GB model and the ``unbabel-comet`` package (with PyTorch Lightning), which
most installs of this tool should not carry.  So it is never a hard
dependency: without it, scoring says in one line how to enable it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScoreError

ENABLE_HINT = ("COMET: not computed; to enable it, pip install '.[comet]' (unbabel-comet) "
               "and pass --comet-model DIR (a local COMET model, e.g. Unbabel/wmt22-comet-da)")


@dataclass
class CometResult:
    model: str
    score: float
    segments: list[float]

    def as_dict(self) -> dict:
        return {"model": self.model, "score": round(100 * self.score, 2),
                "segments": [round(s, 4) for s in self.segments]}


def comet_available() -> bool:
    return importlib.util.find_spec("comet") is not None


def _checkpoint(model: Path) -> Path:
    """A model folder as downloaded from the hub holds ``checkpoints/model.ckpt``."""
    if model.is_file():
        return model
    candidate = model / "checkpoints" / "model.ckpt"
    if candidate.is_file():
        return candidate
    raise ScoreError(f"{model}: no COMET checkpoint (expected {candidate})",
                     hint="give the folder of a downloaded COMET model or its .ckpt file")


def comet_score(model: str | Path, sources: list[str], hypotheses: list[str], references: list[str],
                batch_size: int = 8, gpus: int = 0) -> CometResult:
    """System-level and segment-level COMET of aligned source, hypothesis and reference units."""
    if not comet_available():
        raise ScoreError("unbabel-comet is not installed", hint=ENABLE_HINT)
    from comet import load_from_checkpoint

    checkpoint = _checkpoint(Path(model))
    scorer = load_from_checkpoint(str(checkpoint))
    data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references, strict=True)]
    output = scorer.predict(data, batch_size=batch_size, gpus=gpus, progress_bar=False)
    return CometResult(str(model), float(output.system_score), [float(x) for x in output.scores])
