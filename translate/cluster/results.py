"""What a cluster run reports: a local run's report, plus each actor's share and the wall time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import RunReport


@dataclass
class ActorStats:
    """One actor's share of the run: its documents and segments, and the seconds it spent translating."""

    index: int
    node: str = ""
    documents: int = 0
    segments: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Segments per second of translating (the actor's throughput)."""
        return self.segments / self.seconds if self.seconds else 0.0


@dataclass
class ClusterProgress:
    """What the driver knows during the run (for a progress display)."""

    documents: int  # to translate in this run
    done: int  # written or failed
    failed: int
    segments: int  # translated
    elapsed: float
    actors: list[ActorStats]


@dataclass
class ClusterReport(RunReport):
    """A local run's report, plus each actor's share, the wall time and the manifest written."""

    actors: list[ActorStats] = field(default_factory=list)
    seconds: float = 0.0
    manifest: Path | None = None
