"""Archive-scale runs on a Ray cluster: ``translate run --ray [ADDRESS]`` and :func:`run_on_ray`.

The same pipeline as ``translate run``, spread over a cluster: the driver plans
(:mod:`translate.jobs`), read tasks read, segment and protect
(:mod:`~translate.cluster.stages`), an actor pool translates whole documents
with the engine loaded once per actor (:mod:`~translate.cluster.actors`; the
converted model shipped once and cached per node:
:mod:`~translate.cluster.model_shipping`), write tasks write each output
atomically as it completes; the driver (:mod:`~translate.cluster.driver`,
:mod:`~translate.cluster.dispatch`) keeps the progress, the report and a JSONL
manifest (:mod:`~translate.cluster.manifest`).  Ray is an optional extra
(``pip install 'translate-id-en[ray]'``); nothing here imports it until a run starts.
"""

from .driver import RayOptions, run_on_ray
from .manifest import MANIFEST_NAME
from .resources import ClusterError
from .results import ActorStats, ClusterProgress, ClusterReport

__all__ = ["MANIFEST_NAME", "ActorStats", "ClusterError", "ClusterProgress", "ClusterReport", "RayOptions",
           "run_on_ray"]
