"""``translate run --ray``: the local run's stages, spread over a Ray cluster by the driver.

The driver plans the run (:func:`~translate.jobs.plan_jobs`: listing files
reads no contents), ships the converted model once
(:mod:`~translate.cluster.model_shipping`), starts the actor pool
(:mod:`~translate.cluster.actors`) and then feeds documents through three
hops, each document on its own: a read task (read, segment, protect), an
actor (translate, check), a write task (render, write atomically).  The
document travels through the object store; the driver sees only small
statuses, so its memory does not grow with the documents' size.

Faults: an actor that dies (a node lost, a worker killed) is restarted by
Ray, which loads the model again from the node's copy and retries the calls
it held (``max_task_retries``); a document that kills its worker every time
fails alone after the retries.  A document's error (unreadable input, an
exception anywhere in its stages) is that document's, named in the report
and the manifest; the others go on.  Outputs are written atomically, so an
interrupted run leaves only whole files and ``--skip-existing`` completes it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engines import Engine
from ..glossary import Glossary
from ..jobs import check_output_folder, plan_jobs
from ..localize import Localizer
from ..memory import TranslationMemory
from ..pipeline import Translator, remove_leftovers
from ..qa import Check
from ..runlog import RunObserver
from .actors import CRASH_ENV, ActorSetup, EngineRecipe, TranslatorActor
from .dispatch import Dispatcher
from .manifest import Manifest
from .model_shipping import read_model
from .resources import ActorShape, ClusterError, actor_shape, cluster_resources
from .results import ClusterProgress, ClusterReport

log = logging.getLogger(__name__)

#: Ray restarts a dead actor without limit, and retries each call it held this many times.
TASK_RETRIES = 2


@dataclass(frozen=True)
class RayOptions:
    """Where and how the run uses Ray (see README, "Archive runs on a Ray cluster")."""

    address: str | None = None  # None: a local instance; "auto": the cluster this machine belongs to; "ray://..."
    actors: int | None = None  # default: as many as the cluster's CPUs (or GPUs) hold
    device: str | None = None  # default: cuda when the cluster has GPUs, else the engine's device
    quantization: str | None = None  # GPU actors: default float16 (what the model is converted to)
    gpus_per_actor: float = 1.0  # a fraction packs several actors on one GPU
    ship_model: bool = True  # False: every node mounts the converted model at the driver's path
    init: dict[str, Any] = field(default_factory=dict)  # more ray.init() arguments (num_cpus, ...)


def run_on_ray(
    inputs: Iterable[str | Path],
    engine: Engine,
    outdir: str | Path | None = None,
    fmt: str = "auto",
    overwrite: bool = False,
    glossary: Glossary | None = None,
    localizer: Localizer | None = None,
    skip_existing: bool = False,
    qa_checks: Sequence[Check] | None = None,
    options: RayOptions | None = None,
    manifest: str | Path | None = None,
    progress: Callable[[ClusterProgress], None] | None = None,
    memory: TranslationMemory | None = None,
    observer: RunObserver | None = None,
) -> ClusterReport:
    """:func:`translate.pipeline.run` on a Ray cluster: the same outputs, written as each document completes.

    ``engine`` is the driver's (not loaded: a ``ct2`` engine's model is converted
    here if it is not already, and shipped); ``manifest`` is a JSONL file the
    run appends to; ``progress`` is called about twice a second; ``observer`` (``--log``) hears of
    each file as it completes, as in a local run.
    """
    if memory is not None:
        raise ClusterError("a translation memory is not shared with the cluster's workers",
                           hint="run without --tm (or translate locally with it)")
    if getattr(engine, "name", "") == "marian":
        raise ClusterError("the marian engine does not run on a cluster (each worker would load PyTorch "
                           "and the model itself)", hint="use --engine ct2 (the default: it converts the "
                                                         "model once and ships it)")
    options = options or RayOptions()
    started = time.perf_counter()
    check_output_folder(outdir)
    plan = plan_jobs(inputs, outdir, fmt)
    remove_leftovers(plan.jobs)
    translator = Translator(engine, glossary, localizer)  # the copy engine localizes nothing
    report = ClusterReport("", skipped=plan.skipped)
    todo = plan.jobs  # with skip_existing, the dispatcher keeps unchanged outputs once it knows the signature
    with _connected(options) as ray:
        recipe, shape, fill = _plan_actors(ray, engine, options, len(todo))
        setup = ActorSetup(recipe, translator.glossary, translator.localizer,
                           list(qa_checks) if qa_checks else None)
        setup_ref = [ray.put(setup)]  # referenced while the run lasts: a restarted actor reads it again
        actors = _start_actors(ray, shape)
        book = Manifest(manifest) if manifest is not None else None
        dispatcher = Dispatcher(ray, actors, setup_ref, fill, fmt, overwrite, translator.localizer, report,
                                book, progress, observer)
        try:
            dispatcher.run(todo, skip_existing and not overwrite)
        except BaseException:  # interrupted (Ctrl-C): stop the translations, reads and writes in flight
            for actor in actors:
                ray.kill(actor)
            dispatcher.cancel()
            raise
        finally:
            for actor in actors:
                ray.kill(actor)
            if book is not None:
                book.close()
    report.actors = dispatcher.stats
    report.manifest = book.path if book is not None else None
    report.seconds = time.perf_counter() - started
    if observer is not None:
        observer.finish(report)
    for stats in report.actors:
        log.info("actor %d (%s): %d document(s), %d segment(s), %.1f segments/s", stats.index, stats.node,
                 stats.documents, stats.segments, stats.rate)
    return report


# --------------------------------------------------------------------------- connecting, actors


def import_ray():
    try:
        import ray
    except ImportError:
        raise ClusterError("Ray is not installed", hint="pip install 'translate-id-en[ray]'") from None
    return ray


@contextlib.contextmanager
def _connected(options: RayOptions) -> Iterator[Any]:
    """Ray, connected: the session's own connection if there is one, else ours (closed at the end)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    where = options.address or "a local instance"
    try:
        ray.init(address=options.address, logging_level=logging.WARNING, **options.init)
    except Exception as error:  # noqa: BLE001 - Ray raises many kinds: one line names the address
        reason = " ".join(str(error).split())[:300]
        raise ClusterError(f"cannot start or reach Ray at {where}: {reason}",
                           hint="check the address (ray://HEAD:10001 needs 'ray[client]'; 'auto' a node "
                                "started with 'ray start'), or omit it for a local instance") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _plan_actors(ray, engine: Engine, options: RayOptions, documents: int
                 ) -> tuple[EngineRecipe, ActorShape, int]:
    """The actors' engine recipe and shape, and how many segments to keep queued on each."""
    from ..engines.ct2 import CTranslate2Engine

    resources = cluster_resources(ray)
    if isinstance(engine, CTranslate2Engine):
        device = options.device or ("cuda" if resources.gpus else engine.device)
        shape = actor_shape(resources, device, engine.inter_threads * engine.intra_threads, options.actors,
                            options.gpus_per_actor)
        recipe = _ct2_recipe(ray, engine, device, options)
        fill = engine.batch_size * (engine.inter_threads if device == "cpu" else 1) * 2
    else:  # an engine without a model (copy, pseudo) travels as it is
        shape = actor_shape(resources, "cpu", 1, options.actors)
        recipe, fill = EngineRecipe(engine=engine), 32
    if documents == 0:  # only the signature is wanted
        shape = ActorShape(1, shape.num_cpus, shape.num_gpus, shape.device)
    log.info("ray: %d actor(s) of %g CPU(s)%s on a cluster of %g CPU(s), %g GPU(s)", shape.count,
             shape.num_cpus, f" and {shape.num_gpus:g} GPU(s)" if shape.num_gpus else "", resources.cpus,
             resources.gpus)
    return recipe, shape, fill


def _ct2_recipe(ray, engine: Any, device: str, options: RayOptions) -> EngineRecipe:
    """The ct2 engine's options for an actor, and its model: converted here once, shipped or shared."""
    from ..engines.ct2_convert import convert_model, converted_directory, default_quantization, find_converted

    quantization = options.quantization or (
        engine.quantization if device == engine.device else default_quantization(device))
    model, revision = engine.model, engine.revision
    directory = (converted_directory(model) or find_converted(model, revision, quantization)
                 or convert_model(model, revision, quantization))
    settings = {"beam": engine.beam, "batch_size": engine.batch_size, "max_length": engine.max_length,
                "min_length": engine.min_length, "force_beam": engine.force_beam, "device": device}
    if device == "cpu":  # the engine cuts its batches by its translators: keep the driver's
        settings.update(inter_threads=engine.inter_threads, intra_threads=engine.intra_threads)
    if not options.ship_model:
        return EngineRecipe(settings, shared_model=str(directory))
    files = read_model(directory)
    log.info("ray: shipping the model once (%.1f MB, %s) from %s", files.size / 1e6, files.key, directory)
    return EngineRecipe(settings, model_key=files.key, model_ref=[ray.put(files)])


def _start_actors(ray, shape: ActorShape) -> list[Any]:
    actor_class = ray.remote(TranslatorActor).options(
        num_cpus=shape.num_cpus, num_gpus=shape.num_gpus, max_restarts=-1, max_task_retries=TASK_RETRIES)
    crash = os.environ.get(CRASH_ENV) or None
    return [actor_class.remote(index, crash) for index in range(shape.count)]
