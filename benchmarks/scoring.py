"""`translate score` against sacrebleu's own CLI on the same files: wall time and peak RSS side by side.

The files are built from the English side of NTREX-128 and FLORES-200 devtest
in ../shared/eval-data (3,009 lines, repeated to the size asked): the
reference is that text, the hypothesis the same lines with every sixth word
dropped, and a "realigned" hypothesis merges two lines into one every 50 lines
(so its line count differs and `translate score` realigns the lines).  The
"documents" run takes the same reference and merged hypothesis as plain-text
articles, ten lines to a paragraph and a blank line between paragraphs: they
are read with the document reader, split into sentences and realigned inside
each paragraph.

Every measured command runs alone, in a fresh process, under an address-space
cap (``--cap-gb``, default 6): a run that needs more is reported as "exceeded
the cap" instead of taking the shared machine's memory.  Peak RSS is the
child's ``ru_maxrss``.  Both tools run with their default 1,000 bootstrap
resamples (sacrebleu ``--confidence``), and the scores, means and CIs they
print are compared.

    .venv/bin/python benchmarks/scoring.py [--sizes 2000 20000 100000] [--cap-gb 6] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval-data"
SOURCES = ("ntrex128/ntrex128.eng.txt", "flores200/devtest.eng.txt")
MERGE_EVERY = 50
PARAGRAPH_LINES = 10
_SACREBLEU_LINE = re.compile(r"^\s*(BLEU|chrF2\+\+|TER)\|\S+ = ([\d.]+) \(μ = ([\d.]+) ± ([\d.]+)\)", re.M)
_OUR_LINE = re.compile(r"^(BLEU|chrF\+\+|TER)\s+([\d.]+)\s+\(μ = ([\d.]+) ± ([\d.]+)", re.M)


@dataclass
class Run:
    label: str
    seconds: float
    rss_mb: float
    ok: bool
    scores: dict[str, tuple[str, str, str]]
    note: str = ""


def build_files(folder: Path, data: Path, size: int) -> tuple[Path, Path, Path, Path, Path]:
    """Reference, hypothesis (every sixth word dropped), merged hypothesis; both as paragraphed documents."""
    base: list[str] = []
    for name in SOURCES:
        base += (data / name).read_text(encoding="utf-8").splitlines()
    reference = [base[i % len(base)] for i in range(size)]
    hypothesis = [" ".join(w for k, w in enumerate(line.split()) if (k + 1) % 6) for line in reference]
    merged, i = [], 0
    paragraphs: list[list[str]] = []  # the merged hypothesis, ten reference lines to a paragraph
    while i < size:
        if i % PARAGRAPH_LINES == 0:
            paragraphs.append([])
        if i % MERGE_EVERY == 7 and i + 1 < size:  # never the last line of a paragraph
            merged.append(hypothesis[i] + " " + hypothesis[i + 1])
            i += 2
        else:
            merged.append(hypothesis[i])
            i += 1
        paragraphs[-1].append(merged[-1])
    ref_paragraphs = [reference[k : k + PARAGRAPH_LINES] for k in range(0, size, PARAGRAPH_LINES)]
    paths = (folder / f"ref{size}.txt", folder / f"hyp{size}.txt", folder / f"hyp-merged{size}.txt",
             folder / f"ref-doc{size}.txt", folder / f"hyp-doc{size}.txt")
    texts = ["\n".join(reference), "\n".join(hypothesis), "\n".join(merged),
             "\n\n".join(" ".join(p) for p in ref_paragraphs), "\n\n".join(" ".join(p) for p in paragraphs)]
    for path, text in zip(paths, texts, strict=True):
        path.write_text(text + "\n", encoding="utf-8")
    return paths


def measure(label: str, command: list[str], cap_bytes: int, pattern: re.Pattern[str]) -> Run:
    """Run ``command`` alone under the cap; wall time, peak RSS and the scores it printed."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    env = {**os.environ, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, preexec_fn=limit, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    rss = usage.ru_maxrss / 1024
    scores = {m.group(1).replace("chrF2++", "chrF++"): m.group(2, 3, 4) for m in pattern.finditer(stdout)}
    if child.returncode == 0 and len(scores) == 3:
        return Run(label, seconds, rss, True, scores)
    signs = ("MemoryError", "Unable to allocate", "Cannot allocate", "failed to map segment", "bad_alloc")
    memory = any(sign in stderr for sign in signs) or rss > 0.9 * cap_bytes / 2**20
    note = (f"exceeded the {cap_bytes / 2**30:.0f} GB cap" if memory or child.returncode < 0
            else f"failed (exit {child.returncode}): {stderr.strip().splitlines()[-1:]}")
    return Run(label, seconds, rss, False, scores, note)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import sacrebleu

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, load average {os.getloadavg()[0]:.1f} "
            f"at start; Python {platform.python_version()}, sacrebleu {sacrebleu.__version__}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    parser.add_argument("--cap-gb", type=float, default=6.0)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    missing = [name for name in SOURCES if not (args.data / name).is_file()]
    if missing:
        print(f"no evaluation data: {', '.join(str(args.data / m) for m in missing)} missing "
              "(this benchmark needs ../shared/eval-data; --data DIR points elsewhere)", file=sys.stderr)
        return 2
    cap = int(args.cap_gb * 2**30)
    print(f"machine: {machine()}")
    print(f"address-space cap per run: {args.cap_gb:g} GB; one run at a time\n")
    rows: list[tuple[int, Run, Run, Run, Run]] = []
    print("| lines | run | wall s | peak RSS MB | time / sacrebleu | RSS / sacrebleu | scores, μ, CI |")
    print("|---:|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as work:
        for size in args.sizes:
            ref, hyp, merged, ref_doc, hyp_doc = build_files(Path(work), args.data, size)
            runs = [
                measure("sacrebleu --confidence",
                        [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", "bleu", "chrf",
                         "ter", "--chrf-word-order", "2", "--confidence", "-f", "text", "-w", "2"],
                        cap, _SACREBLEU_LINE),
                measure("translate score (line level)",
                        [sys.executable, "-m", "translate", "score", str(hyp), str(ref)], cap, _OUR_LINE),
                measure("translate score (lines realigned)",
                        [sys.executable, "-m", "translate", "score", str(merged), str(ref)], cap, _OUR_LINE),
                measure("translate score (documents, sentences realigned)",
                        [sys.executable, "-m", "translate", "score", str(hyp_doc), str(ref_doc)], cap,
                        _OUR_LINE),
            ]
            base = runs[0]
            for run in runs:
                compared = base.ok and run.ok and run is not base
                time_ratio = f"{run.seconds / base.seconds:.2f}" if compared else ""
                rss_ratio = f"{run.rss_mb / base.rss_mb:.2f}" if compared else ""
                if run is base or not run.ok:
                    agree = run.note
                elif run is runs[1]:
                    agree = ("equal to sacrebleu's" if base.ok and run.scores == base.scores
                             else "sacrebleu did not finish" if not base.ok else f"DIFFER: {run.scores}")
                else:
                    agree = "(different segments: realigned)"
                seconds = f"{run.seconds:.1f}" + ("" if run.ok else " (stopped)")
                print(f"| {size:,} | {run.label} | {seconds} | {run.rss_mb:,.0f} | {time_ratio} "
                      f"| {rss_ratio} | {agree} |", flush=True)
            rows.append((size, *runs))
    print()
    for size, base, line, merged, documents in rows:
        checks = []
        if base.ok and line.ok:
            checks.append(f"line-level time {line.seconds / base.seconds:.2f}x sacrebleu (target <= 1), "
                          f"RSS {line.rss_mb / base.rss_mb:.2f}x (target <= 0.5)")
        for label, run in (("lines realigned", merged), ("documents realigned", documents)):
            if line.ok and run.ok:
                checks.append(f"{label} {run.seconds / line.seconds:.2f}x line-level time (target <= 4)")
        peaks = " / ".join(f"{r.rss_mb:,.0f}" for r in (line, merged, documents))
        checks.append(f"peak RSS {peaks} MB (line / lines realigned / documents)"
                      + (" (target at 100,000 lines: <= 1,024)" if size >= 100000 else ""))
        print(f"{size:,} lines: " + "; ".join(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
