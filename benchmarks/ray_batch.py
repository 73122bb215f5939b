"""A folder of articles through Ray on this machine against the local run: Ray's overhead, scale-out.

The first ``--docs`` NTREX-128 articles (``../shared/eval-data/ntrex128``, or
``--data DIR`` holding ``eval-data/ntrex128``), written as plain-text files the
way ``translate eval --ntrex`` does; NTREX-128 has 123 articles, so beyond that
the articles are used again under other names (``<id>-2.id.txt``: the same
work, another file).  The real-shape random model (built once and cached by
``constraints.py``, converted to ct2 int8), beam 4, a fixed output length
(``--length`` tokens, EOS included: every segment decodes as many steps), the
curated glossary and en_US localization, as a default ``translate run``.

1. The local run (:func:`translate.pipeline.run`, the engine's default threads),
   then the same folder through Ray (:func:`translate.cluster.run_on_ray`) on a
   local instance with this machine's cores: wall time of each, their ratio
   (Ray's time includes shipping the model and starting the actors; starting
   Ray itself, once per session, is shown apart), each actor's throughput, and
   whether every output is byte-identical.
2. Scale-out, simulated: the first ``--scale-docs`` articles with 1, 2 and 4
   actors of one core each (one translator of one thread), on a Ray instance
   that offers 4 CPUs whatever the machine has, so that the actors are placed
   even where the cores are fewer: throughput grows with the actors until the
   machine's cores are all busy.

Usage: ``.venv/bin/python benchmarks/ray_batch.py [--docs 200] [--length 24] [--scale-docs 60] [--data DIR]
[--part both|compare|scale]`` (``--part scale`` runs the local run of only the scale-out's articles, for
their segment count, and leaves out the comparison).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OBJECT_STORE = 512 * 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--length", type=int, default=24, help="fixed output length in tokens (EOS included)")
    parser.add_argument("--scale-docs", type=int, default=60, help="articles of the scale-out runs")
    parser.add_argument("--actors", default="1,2,4", help="actor counts of the scale-out runs")
    parser.add_argument("--part", choices=("both", "compare", "scale"), default="both",
                        help="the Ray/local comparison, the scale-out, or both")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared",
                        help="folder holding eval-data/ntrex128 (default: ../shared from the repository)")
    args = parser.parse_args(argv)

    ntrex = args.data / "eval-data" / "ntrex128"
    if not (ntrex / "ntrex128.ind.txt").exists():
        print(f"error: {ntrex} is missing (give --data DIR holding eval-data/ntrex128)", file=sys.stderr)
        return 2
    os.environ["TRANSLATE_CACHE"] = str(HERE / ".cache")
    sys.path.insert(0, str(HERE))
    import constraints

    constraints.NTREX = ntrex
    model = constraints._model_dir(*constraints._texts()[:2])
    logging.getLogger("translate").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ray-batch-") as work:
        return _measure(args, model, Path(work), ntrex)


def _articles(ntrex: Path, folder: Path, count: int) -> list[Path]:
    """``count`` article files: NTREX-128's, then the same again under other names."""
    from translate.evaluate.corpus import build_ntrex

    built = sorted(build_ntrex(ntrex, folder / "ntrex").glob("*.id.txt"))
    target = folder / "articles"
    target.mkdir()
    files = []
    for k in range(count):
        source = built[k % len(built)]
        lap = k // len(built)
        name = source.name if lap == 0 else source.name.replace(".id.txt", f"-{lap + 1}.id.txt")
        files.append(target / name)
        shutil.copyfile(source, files[-1])
    shutil.rmtree(folder / "ntrex")
    return files


def _engine(model: Path, length: int, threads: int | None = None):
    from translate.engines import create_engine

    return create_engine("ct2", model=str(model), beam=4, batch_size=16, max_length=length,
                         min_length=length - 1, inter_threads=threads, intra_threads=1 if threads else None)


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.en.txt"))}


def _start_ray(cpus: int) -> None:
    """A new local Ray instance offering ``cpus`` CPUs (never another cluster running on the machine)."""
    import ray

    ray.init(address="local", num_cpus=cpus, object_store_memory=OBJECT_STORE, include_dashboard=False,
             log_to_driver=False, logging_level="WARNING")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def _measure(args: argparse.Namespace, model: Path, work: Path, ntrex: Path) -> int:
    from translate.pipeline import run
    from translate.settings import Settings

    settings = Settings()
    extras = {"glossary": settings.load_glossary(), "localizer": settings.localizer()}
    files = _articles(ntrex, work, args.docs if args.part != "scale" else args.scale_docs)
    folder = files[0].parent
    _engine(model, args.length).prepare()  # the int8 conversion, once and untimed (both runs use it)
    same = True

    print(f"machine: {os.cpu_count()} CPUs, {_load()} at the start; {len(files)} articles; ct2 int8, beam 4, "
          f"fixed length {args.length - 1} + EOS; curated glossary, en_US")
    start = time.perf_counter()
    engine = _engine(model, args.length)
    engine.load()
    local = run([folder], engine, work / "local", **extras)
    local_seconds = time.perf_counter() - start
    segments = sum(r.segments for r in local.results)
    print(f"local run ({engine.inter_threads} translators x {engine.intra_threads} thread): "
          f"{local_seconds:.1f} s, {segments} segments, {segments / local_seconds:.1f} seg/s ({_load()})")

    if args.part != "scale":
        same = _compare(args, model, work, files, local, local_seconds, extras)
    if args.part != "compare":
        _scale_out(args, model, work, files, local, extras)
    return 0 if same else 1


def _compare(args: argparse.Namespace, model: Path, work: Path, files: list[Path], local,
             local_seconds: float, extras: dict) -> bool:
    """The same folder through Ray with this machine's cores: the ratio to the local run."""
    import ray

    from translate.cluster import run_on_ray

    folder = files[0].parent
    segments = sum(r.segments for r in local.results)
    start = time.perf_counter()
    _start_ray(os.cpu_count() or 1)
    init_seconds = time.perf_counter() - start
    start = time.perf_counter()
    report = run_on_ray([folder], _engine(model, args.length), work / "ray", **extras)
    ray_seconds = time.perf_counter() - start
    ray.shutdown()
    same = _outputs(work / "ray") == _outputs(work / "local") and len(_outputs(work / "local")) == len(files)
    print(f"ray run ({len(report.actors)} actor(s)): {ray_seconds:.1f} s, {segments / ray_seconds:.1f} seg/s "
          f"(+ {init_seconds:.1f} s to start the local Ray instance, once) ({_load()})")
    print(f"ratio ray / local: {ray_seconds / local_seconds:.2f}x (target <= 1.2x); outputs byte-identical: "
          f"{'yes' if same else 'NO'}; failures: {len(report.failures)}")
    for stats in report.actors:
        print(f"  actor {stats.index}: {stats.documents} articles, {stats.segments} segments, "
              f"{stats.seconds:.1f} s translating, {stats.rate:.1f} seg/s while translating")
    busiest = max((stats.seconds for stats in report.actors), default=0.0)
    print(f"  outside the busiest actor's translating (Ray: model shipping, actor start, reads, writes, "
          f"waits): {ray_seconds - busiest:.1f} s of {ray_seconds:.1f} s")
    return same


def _scale_out(args: argparse.Namespace, model: Path, work: Path, files: list[Path], local, extras: dict
               ) -> None:
    """1, 2, 4 actors of one core each on a Ray instance offering 4 CPUs: how throughput grows."""
    import ray

    from translate.cluster import RayOptions, run_on_ray

    scale = files[: args.scale_docs]
    scale_folder = work / "scale"
    scale_folder.mkdir()
    for path in scale:
        shutil.copyfile(path, scale_folder / path.name)
    scale_segments = sum(r.segments for r in local.results if r.job.source in set(scale))
    print(f"\nscale-out: {len(scale)} articles ({scale_segments} segments), actors of 1 core each "
          f"(1 translator x 1 thread); a Ray instance offering 4 CPUs on this {os.cpu_count()}-CPU machine")
    print("(steady: from the first article written to the last, i.e. without starting the actors)")
    print(f"{'actors':>6} {'wall s':>8} {'seg/s':>8} {'steady':>8} {'x 1 actor':>10}  per actor seg/s")
    _start_ray(4)
    base = None
    for count in (int(x) for x in args.actors.split(",")):
        marks: list = []
        start = time.perf_counter()
        report = run_on_ray([scale_folder], _engine(model, args.length, threads=1), work / f"scale-{count}",
                            options=RayOptions(actors=count), progress=marks.append, **extras)
        seconds = time.perf_counter() - start
        first = next(m for m in marks if m.done)
        first_time, first_segments = first.elapsed, first.segments
        steady = (marks[-1].segments - first_segments) / max(1e-9, marks[-1].elapsed - first_time)
        base = base or steady
        rates = " ".join(f"{a.rate:.1f}" for a in report.actors)
        wall_rate = scale_segments / seconds
        print(f"{count:>6} {seconds:>8.1f} {wall_rate:>8.1f} {steady:>8.1f} {steady / base:>9.2f}x  {rates}"
              f"  ({_load()})")
    ray.shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
