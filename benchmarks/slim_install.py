"""Slim install: the base package, without PyTorch, translating with a converted model directory.

Mirrors the Dockerfile's steps on this machine (Docker itself is not needed):

1. ``pip wheel .`` then ``pip install`` of the wheels into a fresh virtual
   environment: the base dependencies, no extras (pip may take them from its
   local wheel cache);
2. its size (``du``) next to the full development venv's (``.venv``, the
   ``dev`` extra: PyTorch, transformers, test tools);
3. ``import torch`` and ``import transformers`` must fail in it;
4. with the full venv: a tiny Marian model in the opus-mt layout
   (:mod:`translate.testing.marian_factory`) converted by
   ``translate model convert`` -- what a bureau does once, on a full install;
5. in the slim venv, offline (``HF_HUB_OFFLINE=1``) and, when run as root, as
   the unprivileged user ``nobody`` (the image runs as uid 10001): ``translate
   run`` of a corpus article with ``--model <converted dir>`` (the image's
   mounted ``/model``), then ``translate score`` of the output against its
   reference.

Every step must succeed; the script exits 1 naming the first that did not.
The translation is the tiny random model's (the point is that the slim install
runs the real code path, not its quality).

Usage: ``.venv/bin/python benchmarks/slim_install.py [--keep DIR]``
(``--keep`` builds the slim venv in DIR and leaves it there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_VENV = ROOT / ".venv"
ARTICLE = ROOT / "corpora" / "banjir-bekasi.id.txt"
REFERENCE = ROOT / "corpora" / "banjir-bekasi.en.txt"

# Sentences written for this script; the tiny model's tokenizers learn their pieces from them.
SOURCE = """\
Banjir merendam ratusan rumah di Bekasi setelah hujan deras semalam.
Warga mengungsi ke masjid dan sekolah terdekat.
Pemerintah kota menyiapkan perahu karet dan dapur umum.
Ketinggian air mencapai satu meter di beberapa jalan.
"""
TARGET = """\
Floods submerged hundreds of houses in Bekasi after heavy rain overnight.
Residents took shelter in nearby mosques and schools.
The city government prepared rubber boats and public kitchens.
The water reached one meter on several roads.
"""


class StepFailed(Exception):
    pass


def step(title: str, command: list[str], env: dict[str, str] | None = None, user: str | None = None,
         cwd: Path | None = None) -> str:
    """Run one step; its stdout, or StepFailed with its stderr."""
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    shown = " ".join(command)
    shown = shown if len(shown) <= 300 else shown[:300] + f" ... ({len(command)} arguments)"
    print(f"$ {shown}", flush=True)
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode != 0:
        raise StepFailed(f"{title}: exit {done.returncode}\n{done.stderr[-3000:]}")
    print(f"  ok ({time.monotonic() - began:.1f} s)", flush=True)
    return done.stdout


def size(path: Path) -> int:
    """Bytes on disk, as ``du -sb`` counts them."""
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True,
                              check=True).stdout.split()[0])


def mib(count: int) -> str:
    return f"{count / 2**20:,.0f} MiB"


def base_python(user: str | None) -> str:
    """A Python of this version that ``user`` may run (pyenv's, under /root, is not: Debian's is)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/{version}"):
        probe = ["runuser", "-u", user, "--", candidate, "-c", ""] if user else [candidate, "-c", ""]
        if Path(candidate).exists() and subprocess.run(probe, capture_output=True).returncode == 0:
            return candidate
    raise StepFailed(f"no {version} that {user} may run: give the run steps' user a Python")


def build_slim(venv: Path, work: Path, user: str | None) -> None:
    """The Dockerfile's two stages: wheels of the package and its dependencies, then installed."""
    wheels = work / "wheels"
    step("pip wheel", [sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(wheels), str(ROOT)])
    step("venv", [base_python(user), "-m", "venv", str(venv)])
    step("pip install", [str(venv / "bin" / "pip"), "install", "-q", "--no-index",
                         *map(str, sorted(wheels.glob("*.whl")))])


def check_no_torch(venv: Path) -> None:
    for module in ("torch", "transformers"):
        done = subprocess.run([str(venv / "bin" / "python"), "-c", f"import {module}"], capture_output=True)
        if done.returncode == 0:
            raise StepFailed(f"the slim venv imports {module}")
        print(f"  import {module}: fails, as it should", flush=True)


def convert_tiny_model(work: Path, env: dict[str, str]) -> Path:
    """A tiny model built and converted with the full venv; the converted directory's path."""
    model = work / "opus-mt-tiny-id-en"
    build = ("from pathlib import Path; from translate.testing.marian_factory import TINY_SHAPE, ModelSpec, "
             "build_marian_model; import sys; "
             "build_marian_model(Path(sys.argv[1]), ModelSpec(sys.argv[2] * 3, sys.argv[3] * 3, TINY_SHAPE, "
             "spm_vocab_size=120))")
    python = str(FULL_VENV / "bin" / "python")
    step("build tiny model", [python, "-c", build, str(model), SOURCE, TARGET + _alphabet()], env=env)
    out = step("translate model convert",
               [python, "-m", "translate", "model", "convert", "--model", str(model)], env=env)
    converted = Path(out.strip().splitlines()[-1])
    if not (converted / "model.bin").is_file():
        raise StepFailed(f"model convert printed {converted}, which holds no model.bin")
    return converted


def _alphabet() -> str:
    """Every printable ASCII character once, so any English word can be written by the tiny vocabulary."""
    return " ".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:!?'\"()-/") + "\n"


def translate_and_score(venv: Path, converted: Path, work: Path, env: dict[str, str],
                        user: str | None) -> tuple[str, str]:
    out = work / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)  # the unprivileged user writes here, as the image's user writes under /data
    translate = str(venv / "bin" / "translate")
    step("translate run", [translate, "run", str(ARTICLE), "-o", str(out), "--model", str(converted),
                           "--log", str(out / "run.jsonl")], env=env, user=user, cwd=work)
    hypothesis = out / ARTICLE.name.replace(".id.", ".en.")
    scores = step("translate score", [translate, "score", str(hypothesis), str(REFERENCE)],
                  env=env, user=user, cwd=work)
    log = (out / "run.jsonl").read_text(encoding="utf-8")
    if '"engine=ct2' not in log:
        raise StepFailed("the slim run did not translate with the ct2 engine:\n" + log)
    return scores, hypothesis.read_text(encoding="utf-8").splitlines()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="build the slim venv in DIR and keep it")
    args = parser.parse_args(argv)
    if not (FULL_VENV / "bin" / "python").exists():
        print(f"no full venv at {FULL_VENV}: install it first (README)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="slim-install-"))
    work.chmod(0o755)  # readable by the unprivileged user the run steps use
    venv = Path(args.keep).resolve() if args.keep else work / "venv"
    if venv.exists():
        shutil.rmtree(venv)
    user = "nobody" if os.geteuid() == 0 and shutil.which("runuser") else None
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSLATE_CACHE=str(work / "cache"))
    env.pop("VIRTUAL_ENV", None)
    try:
        build_slim(venv, work, user)
        slim, full = size(venv), size(FULL_VENV)
        print(f"  slim venv {mib(slim)}, full development venv {mib(full)} "
              f"(slim/full {slim / full:.2f})", flush=True)
        check_no_torch(venv)
        converted = convert_tiny_model(work, env)
        if user:
            subprocess.run(["chmod", "-R", "a+rX", str(work / "cache")], check=True)
        scores, first_line = translate_and_score(venv, converted, work, env, user)
    except StepFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(venv, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"slim install: {mib(slim)} ({slim:,} bytes, du -sb); full development venv: {mib(full)}")
    print(scores.strip())
    print(f"first output line (tiny random model): {first_line[:80]}")
    print(f"ran as: {user or 'the current user'}, HF_HUB_OFFLINE=1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
