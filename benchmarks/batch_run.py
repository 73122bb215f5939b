"""A cron-style folder run, watched and interrupted: what an operator sees, and how fast Ctrl-C is.

Uses the stand-in model ``speed.py`` and ``constraints.py`` use (random weights
in the real opus-mt-id-en shape, cached in ``benchmarks/.cache/``; a random
model writes until ``--max-length``, so every segment costs the same), the
``ct2`` engine, and the folder ``corpora/`` (or ``--corpus DIR``).

1. **Cron run**: ``translate run CORPUS -o OUT --log run.jsonl`` with standard
   error a pipe (no terminal, as under cron); each stderr line is printed with
   the second it arrived, then the ``--log`` lines.
2. **Ctrl-C**: the same run into a fresh folder; SIGINT once its first output
   is written (and ``--wait`` seconds more, so the engine is mid-document);
   the seconds from the signal to the exit, what was written (each file must
   equal the cron run's: complete), then ``--skip-existing`` to finish the set
   (which must then equal the cron run's outputs).
3. With ``--baseline REV`` (a git revision, e.g. the branch's base), step 2
   also runs that revision's code (``git archive``) side by side.

Usage: ``.venv/bin/python benchmarks/batch_run.py [--max-length 64] [--wait 2] [--baseline REV]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE_ROOT = HERE / ".cache"
#: The --log fields printed (the hash and signature are shortened).
SHOWN = ("type", "status", "source", "output", "segments", "terms", "qa", "qa_checks", "seconds", "error")


def stand_in_model() -> Path:
    """The real-shape random model (built once by constraints.py's builder)."""
    sys.path.insert(0, str(HERE))
    from constraints import _model_dir, _texts  # imports torch: the full venv

    source, target, _ = _texts()
    return _model_dir(source, target)


def command(corpus: Path, out: Path, model: Path, max_length: int,
            *extra: str) -> list[str]:
    return [sys.executable, "-m", "translate", "run", str(corpus), "-o", str(out), "--engine", "ct2",
            "--model", str(model), "--max-length", str(max_length), *extra]


def environment(code: Path | None) -> dict[str, str]:
    """The runs' environment: ``code`` (default: this checkout) first on the path.

    The runs' working folder is a temporary one: ``python -m`` puts the working
    folder first on ``sys.path``, which in the repository would be its code.
    """
    return dict(os.environ, TRANSLATE_CACHE=str(CACHE_ROOT), HF_HUB_OFFLINE="1", PYTHONPATH=str(code or ROOT))


def documents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.en.*"))} if folder.is_dir() else {}


def cron_run(corpus: Path, work: Path, model: Path, max_length: int) -> Path:
    out, log = work / "cron", work / "run.jsonl"
    print(f"## cron-style run (stderr is a pipe): {corpus} -> {out}\n")
    began = time.monotonic()
    process = subprocess.Popen(command(corpus, out, model, max_length, "--log", str(log)),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=environment(None), cwd=work)
    assert process.stderr is not None
    for line in process.stderr:
        print(f"  +{time.monotonic() - began:6.1f} s  {line.rstrip()}")
    print(f"  exit {process.wait()} after {time.monotonic() - began:.1f} s\n\n--log {log.name}:")
    for line in log.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        shown = {k: record[k] for k in SHOWN if k in record}
        if record["type"] == "file":
            shown["sha256"] = record["sha256"][:12] + "..."
            shown["signature"] = record["signature"][:40] + "..."
        else:
            shown.update({k: record[k] for k in ("written", "failed", "kept", "not_started")})
        print(f"  {json.dumps(shown, ensure_ascii=False)}")
    return out


def interrupt(code: Path | None, label: str, corpus: Path, work: Path, model: Path, max_length: int,
              wait: float, at: float | None, clean: Path | None) -> None:
    """SIGINT ``at`` seconds after the start, or ``wait`` seconds after the first output."""
    out = work / f"interrupted-{label}"
    env = environment(code)
    began = time.monotonic()
    package = subprocess.run([sys.executable, "-c", "import translate; print(translate.__file__)"], env=env,
                             cwd=work, capture_output=True, text=True).stdout.strip()
    print(f"  {label}: code {Path(package).parent}")
    process = subprocess.Popen(command(corpus, out, model, max_length, "-q"), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                               cwd=work)
    if at is None:
        while not documents(out) and process.poll() is None:
            time.sleep(0.02)
        time.sleep(wait)
    else:
        time.sleep(max(0.0, at - (time.monotonic() - began)))
    if process.poll() is not None:
        print(f"  {label}: the run ended (exit {process.returncode}) before the signal: "
              f"{process.communicate()[1].strip()[-500:]}")
        return
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=900)
    seconds = time.monotonic() - sent
    written = documents(out)
    complete = ("?" if clean is None else
                sum(1 for name, data in written.items() if (clean / name).read_bytes() == data))
    print(f"  {label}: SIGINT at {sent - began:.1f} s -> exit {process.returncode} in {seconds:.1f} s; "
          f"{len(written)} document(s) written, {complete} equal to the cron run's; partial files: "
          f"{len(list(out.rglob('*.part')))}")
    for line in err.strip().splitlines()[-2:]:
        print(f"      {line}")
    if code is None and clean is not None:
        began = time.monotonic()
        resumed = subprocess.run(command(corpus, out, model, max_length, "-q", "--skip-existing"),
                                 capture_output=True, text=True, env=env, cwd=work)
        same = documents(out) == documents(clean)
        seconds = time.monotonic() - began
        print(f"  resume with --skip-existing: exit {resumed.returncode} in {seconds:.1f} s; "
              f"outputs equal the uninterrupted run's: {same}")
        for line in resumed.stderr.strip().splitlines():
            if line.startswith(("kept", "translated")):
                print(f"      {line}")


def baseline_code(revision: str, work: Path) -> Path:
    """``revision``'s ``translate`` package, unpacked (runs on this venv's dependencies)."""
    archive = work / "baseline.tar"
    # glossaries/: the package's data/glossaries links to it
    subprocess.run(["git", "archive", "-o", str(archive), revision, "translate", "glossaries"], cwd=ROOT,
                   check=True)
    code = work / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(code, filter="data")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpora")
    parser.add_argument("--max-length", type=int, default=64, help="tokens per segment (default 64)")
    parser.add_argument("--wait", type=float, default=2.0, help="seconds after the first output (default 2)")
    parser.add_argument("--baseline", metavar="REV", help="also interrupt this git revision's code")
    parser.add_argument("--interrupt-at", type=float, metavar="SECONDS",
                        help="send SIGINT this long after the start instead (with --interrupt-max-length: "
                             "mid-batch at the default 256, as a random model decodes to the end)")
    parser.add_argument("--interrupt-max-length", type=int, metavar="N",
                        help="--max-length of the interrupted runs (default: --max-length); "
                             "not the cron run's: outputs are then not compared")
    parser.add_argument("--no-cron", action="store_true",
                        help="only the interrupted runs (outputs not compared)")
    args = parser.parse_args(argv)
    model = stand_in_model()
    print(f"model: random weights, real opus-mt-id-en shape ({model}); --max-length {args.max_length}\n")
    with tempfile.TemporaryDirectory(prefix="batch-run-") as name:
        work = Path(name)
        clean = None if args.no_cron else cron_run(args.corpus, work, model, args.max_length)
        length = args.interrupt_max_length or args.max_length
        if length != args.max_length:
            clean = None
        when = (f"{args.interrupt_at:g} s after the start" if args.interrupt_at is not None
                else f"{args.wait:g} s after the first output is written")
        print(f"\n## Ctrl-C {when}, --max-length {length}\n")
        interrupt(None, "this branch", args.corpus, work, model, length, args.wait, args.interrupt_at, clean)
        if args.baseline:
            code = baseline_code(args.baseline, work)
            interrupt(code, f"baseline {args.baseline}", args.corpus, work, model, length, args.wait,
                      args.interrupt_at, clean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
