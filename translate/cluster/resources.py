"""How many translating actors a cluster runs, and what each asks Ray for.

A CPU actor is the local run's engine: it decodes with the engine's
``inter_threads`` translators of ``intra_threads`` threads each, so it asks for
that many CPUs (capped at the largest node's, where the threads then share
cores: the threads are kept, because the engine cuts its batches by them and
the output would change otherwise).  A GPU actor asks for ``gpus_per_actor``
of a GPU (0.25: four actors share one, each translating its own documents)
and one CPU for its host threads.  Without a count, as many actors as the
cluster's CPUs or GPUs hold at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TranslateError


class ClusterError(TranslateError):
    """A cluster that cannot be reached or cannot run the job (exit code 1)."""


@dataclass(frozen=True)
class ActorShape:
    count: int
    num_cpus: float
    num_gpus: float
    device: str  # cpu or cuda (each GPU actor sees its own GPU as cuda:0)


@dataclass(frozen=True)
class ClusterResources:
    cpus: float  # in all the cluster
    gpus: float
    largest_node_cpus: float


def cluster_resources(ray) -> ClusterResources:
    """The cluster's CPUs and GPUs now (an autoscaling cluster may add nodes later)."""
    totals = ray.cluster_resources()
    nodes = [node.get("Resources", {}) for node in ray.nodes() if node.get("Alive")]
    largest = max((node.get("CPU", 0.0) for node in nodes), default=totals.get("CPU", 1.0))
    return ClusterResources(totals.get("CPU", 0.0), totals.get("GPU", 0.0), largest)


def actor_shape(resources: ClusterResources, device: str, threads: int, actors: int | None,
                gpus_per_actor: float = 1.0) -> ActorShape:
    """The actors for a ``device`` (cpu or cuda) engine of ``threads`` CPU threads in all."""
    if device == "cuda":
        if resources.gpus <= 0:
            raise ClusterError("--device cuda, but the Ray cluster has no GPU",
                               hint="start GPU nodes, or translate on the CPUs with --device cpu")
        if not (0 < gpus_per_actor < 1 or (gpus_per_actor >= 1 and gpus_per_actor == int(gpus_per_actor))):
            raise ClusterError(f"gpus_per_actor must be a fraction of one GPU or a whole number, "
                               f"not {gpus_per_actor}")
        count = actors or max(1, int(resources.gpus // gpus_per_actor))
        return ActorShape(count, 1.0, gpus_per_actor, "cuda")
    cpus = float(min(max(1, threads), max(1.0, resources.largest_node_cpus)))
    count = actors or max(1, int(resources.cpus // cpus))
    return ActorShape(count, cpus, 0.0, "cpu")
