"""Fuzz the formats and the pipeline: seeded mutations of the repository's inputs, per format and engine.

The longer run of ``tests/test_fuzz.py`` (see :mod:`translate.testing.fuzz` for
the mutations and what counts as a correct outcome).  Each input is checked in a
worker process with a time cap, so a hang is caught, counted and the worker
replaced; the worker's address space is capped too, so a memory blow-up is an
exception, not a machine in trouble.  Every failure is written as a reproducer
file under ``--out`` and listed with its first error line.

    .venv/bin/python benchmarks/fuzz.py [--count 200] [--seed 0] [--formats text,markdown,html,docx]
        [--engines copy,pseudo] [--model DIR] [--time-cap 20] [--scale 50000] [--out fuzz-failures]

``--model DIR`` adds the ``marian`` engine with that (local) model.  Exit status:
0 when every input is a clean error or a correct round trip, 1 otherwise.
The lead's conformance script can call :func:`rows` (one dict per format and
engine) or :func:`main`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from translate.testing.fuzz import (
    BAD_ROUND_TRIP,
    CLEAN_ERROR,
    EXCEPTION,
    EXTENSIONS,
    FAILURES,
    HANG,
    ROUND_TRIP,
    Case,
    Outcome,
    check,
    make_case,
)

#: Address space of a worker: a few inputs of 20 MB read several times over fit; a bomb does not.
WORKER_MEMORY = 4 * 1024**3
COLUMNS = ("format", "engine", "inputs", CLEAN_ERROR, "round trips ok", BAD_ROUND_TRIP, EXCEPTION, HANG)


@dataclass
class Failure:
    case: Case
    engine: str
    outcome: Outcome
    reproducer: Path | None = None


@dataclass
class Tally:
    format: str
    engine: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def row(self) -> dict[str, object]:
        count = self.counts.get
        return {"format": self.format, "engine": self.engine, "inputs": sum(self.counts.values()),
                CLEAN_ERROR: count(CLEAN_ERROR, 0), "round trips ok": count(ROUND_TRIP, 0),
                BAD_ROUND_TRIP: count(BAD_ROUND_TRIP, 0), EXCEPTION: count(EXCEPTION, 0),
                HANG: count(HANG, 0)}


def _serve(connection: Connection, engine_name: str, model: str | None) -> None:
    """The worker: builds its engine once, then checks each case it is sent."""
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    from translate.engines import create_engine

    options = {"model": model, "beam": 1, "max_length": 32} if model else {}
    engine = create_engine(engine_name, **options)
    while True:
        case = connection.recv()
        if case is None:
            return
        try:
            outcome = check(case, engine)
        except MemoryError:
            outcome = Outcome(EXCEPTION, "MemoryError (the worker's address space is capped)")
        connection.send(outcome)


class Worker:
    """One checking process; replaced when a case overruns its time cap."""

    def __init__(self, engine: str, model: str | None) -> None:
        self.engine, self.model = engine, model
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.engine, self.model), daemon=True)
        self.process.start()
        child.close()

    def check(self, case: Case, time_cap: float) -> Outcome:
        self.connection.send(case)
        if self.connection.poll(time_cap):
            try:
                return self.connection.recv()
            except (EOFError, ConnectionResetError):  # the worker died (killed for memory, a crash in C)
                self._restart()
                return Outcome(EXCEPTION, "the worker process died")
        self._restart()
        return Outcome(HANG, f"no outcome within {time_cap:g} s")

    def _restart(self) -> None:
        self.process.kill()
        self.process.join()
        self._start()

    def close(self) -> None:
        try:
            self.connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()


def rows(count: int = 200, seed: int = 0, formats: tuple[str, ...] = tuple(EXTENSIONS),
         engines: tuple[str, ...] = ("copy", "pseudo"), model: str | None = None, time_cap: float = 20.0,
         scale: int = 50_000, out: Path | None = Path("fuzz-failures"), quiet: bool = True) -> list[Tally]:
    """Fuzz every format with every engine; one :class:`Tally` (``.row()`` for the table) each.

    The first time an engine starts (a model to load) is not counted in the cap:
    the worker is warmed with the format's first case before the clock runs.
    """
    tallies: list[Tally] = []
    engine_names = list(engines) + (["marian"] if model else [])
    for engine_name in engine_names:
        worker = Worker(engine_name, model)
        try:
            worker.check(make_case(formats[0], 0, seed, scale), time_cap * 30)  # warm-up: imports, model
            for fmt in formats:
                tally = Tally(fmt, engine_name)
                for index in range(count):
                    case = make_case(fmt, index, seed, scale)
                    outcome = worker.check(case, time_cap)
                    tally.counts[outcome.kind] = tally.counts.get(outcome.kind, 0) + 1
                    if outcome.kind in FAILURES:
                        reproducer = _reproduce(case, engine_name, out)
                        tally.failures.append(Failure(case, engine_name, outcome, reproducer))
                if not quiet:
                    print(_table_line(tally.row()), file=sys.stderr, flush=True)
                tallies.append(tally)
        finally:
            worker.close()
    return tallies


def _reproduce(case: Case, engine: str, out: Path | None) -> Path | None:
    if out is None:
        return None
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{engine}-{case.file_name}"
    path.write_bytes(case.data)
    return path


def _table_line(row: dict[str, object]) -> str:
    return "| " + " | ".join(str(row[c]) for c in COLUMNS) + " |"


def table(tallies: list[Tally]) -> str:
    header = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS)
    return "\n".join([header, *(_table_line(t.row()) for t in tallies)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="mutated inputs per format and engine")
    parser.add_argument("--seed", type=int, default=0, help="the seed: the same seed gives the same inputs")
    parser.add_argument("--formats", default=",".join(EXTENSIONS), help="comma-separated formats")
    parser.add_argument("--engines", default="copy,pseudo", help="comma-separated engines (no model needed)")
    parser.add_argument("--model", help="also fuzz the marian engine with this local model folder")
    parser.add_argument("--time-cap", type=float, default=20.0, help="seconds per input before it is a hang")
    parser.add_argument("--scale", type=int, default=50_000,
                        help="size of what a mutation adds, in characters (a huge line, nesting, numbers)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="folder for reproducer files")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tallies = rows(args.count, args.seed, tuple(args.formats.split(",")), tuple(args.engines.split(",")),
                   args.model, args.time_cap, args.scale, args.out, quiet=False)
    print(f"seed {args.seed}, {args.count} inputs per format and engine, scale {args.scale:,}, "
          f"time cap {args.time_cap:g} s, {time.perf_counter() - started:.0f} s in all\n")
    print(table(tallies))
    failures = [f for t in tallies for f in t.failures]
    if failures:
        print(f"\n{len(failures)} failure(s); reproducers in {args.out}/:")
        for failure in failures:
            last = failure.outcome.detail.strip().splitlines()[-1] if failure.outcome.detail.strip() else ""
            print(f"- {failure.engine} {failure.case.label} (from {failure.case.seed_file}), "
                  f"{failure.outcome.kind}: {last[:300]}\n  {failure.reproducer}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
