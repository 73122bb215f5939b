"""All conformance checks in one run: html5lib-tests, the Markdown suites and the mutation fuzzer.

Runs, through the functions each script exposes, the three parts that
``benchmarks/README.md`` reports (section "Conformance, all suites in one run"):

* ``conformance_html.run`` — every html5lib-tests document through the HTML
  format (copy identical, tree identical by html5lib, protected text unchanged);
* ``conformance_markdown.conformance_rows`` — every CommonMark, GFM and
  markdown-it-py example (copy identical, skeleton identical by markdown-it-py,
  protected content unchanged);
* ``fuzz.rows`` — the long fuzz run: seeded mutations of the repository's
  inputs, ``--fuzz-count`` (200) per format and engine (``copy``, ``pseudo``),
  each in a worker process with a time cap.

It prints each script's own table per suite (and what was not identical, at
most ``--list`` lines each), then one summary table: a row per suite and per
fuzz engine with inputs, accepted, copy identical, tree/skeleton identical (for
the fuzzer: correct round trips), protected unchanged, exceptions, hangs and
seconds.  Exit status 1 when anything raised an exception or hung, 2 when the
data is missing.  The data lives in ``../shared/conformance`` next to the main
checkout; from a worktree elsewhere pass ``--data /work/shared/conformance``.

    .venv/bin/python benchmarks/conformance.py [--data ../shared/conformance] [--cap 5]
        [--fuzz-count 200] [--seed 0] [--fuzz-time-cap 20] [--scale 50000] [--out fuzz-failures]
        [--parts html,markdown,fuzz] [--list 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conformance_html  # noqa: E402 - the sibling scripts, importable once their folder is on the path
import conformance_markdown  # noqa: E402
import fuzz  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance"
PARTS = ("html", "markdown", "fuzz")


@dataclass
class SummaryRow:
    """One line of the summary table: a suite, or the fuzzer with one engine.

    ``identical`` is the tree (HTML) or skeleton (Markdown) identity of the
    pseudo output; the fuzzer has no independent parser, so it counts correct
    round trips instead (``copy``: the same bytes; ``pseudo``: the output reads
    again) and leaves the copy column to its ``copy`` row.
    """

    suite: str
    inputs: int = 0
    accepted: int = 0  # read (the rest refused with a clean error)
    copy_identical: int | None = None
    identical: int | None = None
    protected_unchanged: int | None = None
    exceptions: int = 0
    hangs: int = 0
    seconds: float = 0.0


SUMMARY_HEADER = ("suite", "inputs", "accepted", "copy identical", "tree/skeleton identical or round trip ok",
                  "protected unchanged", "exceptions", "hangs", "seconds")


def _share(part: int | None, whole: int) -> str:
    if part is None:
        return "-"
    return f"{part} ({100 * part / whole:.2f}%)" if whole else str(part)


def summary_table(rows: list[SummaryRow]) -> str:
    """The one table that sums up the run: shares are of the accepted inputs."""
    lines = ["| " + " | ".join(SUMMARY_HEADER) + " |", "|---|" + "---:|" * (len(SUMMARY_HEADER) - 1)]
    for row in rows:
        cells = (row.suite, row.inputs, row.accepted, _share(row.copy_identical, row.accepted),
                 _share(row.identical, row.accepted), _share(row.protected_unchanged, row.accepted),
                 row.exceptions, row.hangs, f"{row.seconds:.0f}")
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def html_part(data: Path, cap: float, shown: int) -> tuple[list[str], list[SummaryRow]]:
    started = time.perf_counter()
    rows = conformance_html.run(data, cap)
    total = rows[-1]
    runs, mismatches = conformance_html.lexer_mismatches(data)
    seconds = time.perf_counter() - started
    lines = ["## HTML: html5lib-tests", "", conformance_html.format_table(rows), "",
             f"{total.documents} documents, {total.accepted} accepted (the rest refused with a clean error), "
             f"{seconds:.1f} s; lexer against tokenizer/*.test: "
             f"{runs - len(mismatches)} of {runs} runs match"]
    lines += [f"- not identical: {r.case.name} {r.case.data[:60]!r}: {r.reason}"
              for r in total.failures[:shown]]
    lines += [f"- lexer: {m}" for m in mismatches[:shown]]
    summary = SummaryRow("html5lib-tests", total.documents, total.accepted, total.copy_identical,
                         total.tree_identical, total.protected_unchanged, total.exceptions, total.hangs,
                         seconds)
    lexer = SummaryRow("html5lib tokenizer (lexer tokens)", runs, runs, identical=runs - len(mismatches))
    return lines, [summary, lexer]


def markdown_part(data: Path, cap: float, shown: int) -> tuple[list[str], list[SummaryRow]]:
    rows, outcomes = conformance_markdown.conformance_rows(data, cap)
    failed = [o for o in outcomes if not o.ok or o.exception or o.hung]
    lines = ["## Markdown: CommonMark, GFM, markdown-it-py fixtures", "", conformance_markdown.table(rows)]
    lines += [f"- not identical: {o.example.suite} {o.example.name}: {'; '.join(o.reasons)}"
              for o in failed[:shown]]
    summary = [SummaryRow(row.suite, row.examples, row.examples, row.copy_identical, row.skeleton_identical,
                          row.protected_unchanged, row.exceptions, row.hangs, row.seconds) for row in rows]
    return lines, summary


def fuzz_part(args: argparse.Namespace, shown: int) -> tuple[list[str], list[SummaryRow]]:
    tallies: list[fuzz.Tally] = []
    summary: list[SummaryRow] = []
    for engine in ("copy", "pseudo"):  # one at a time, so each summary row has its own time
        started = time.perf_counter()
        ran = fuzz.rows(args.fuzz_count, args.seed, engines=(engine,), time_cap=args.fuzz_time_cap,
                        scale=args.scale, out=args.out)
        row = SummaryRow(f"fuzz, {engine}", seconds=time.perf_counter() - started)
        round_trips = 0
        for tally in ran:
            count = tally.counts.get
            row.inputs += sum(tally.counts.values())
            row.accepted += sum(tally.counts.values()) - count(fuzz.CLEAN_ERROR, 0)
            round_trips += count(fuzz.ROUND_TRIP, 0)
            row.exceptions += count(fuzz.EXCEPTION, 0)
            row.hangs += count(fuzz.HANG, 0)
        row.identical = round_trips
        if engine == "copy":  # a copy round trip is correct only when the bytes are the same
            row.copy_identical = round_trips
        tallies += ran
        summary.append(row)
    lines = [f"## Fuzzing: seed {args.seed}, {args.fuzz_count} inputs per format and engine, scale "
             f"{args.scale:,}, time cap {args.fuzz_time_cap:g} s", "", fuzz.table(tallies), "",
             f"{sum(row.seconds for row in summary):.0f} s"]
    failures = [f for t in tallies for f in t.failures]
    for failure in failures[:shown]:
        detail = failure.outcome.detail.strip().splitlines()
        lines.append(f"- {failure.engine} {failure.case.label} (from {failure.case.seed_file}), "
                     f"{failure.outcome.kind}: {detail[-1][:300] if detail else ''}; reproducer "
                     f"{failure.reproducer}")
    return lines, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA,
                        help="the conformance folder (html5lib-tests/, commonmark/); "
                             "default ../shared/conformance")
    parser.add_argument("--cap", type=float, default=5.0,
                        help="seconds one HTML document or Markdown example may take")
    parser.add_argument("--fuzz-count", type=int, default=200, help="mutated inputs per format and engine")
    parser.add_argument("--seed", type=int, default=0, help="the fuzzer's seed")
    parser.add_argument("--fuzz-time-cap", type=float, default=20.0,
                        help="seconds per fuzz input before a hang")
    parser.add_argument("--scale", type=int, default=50_000,
                        help="size of what a fuzz mutation adds (characters)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="folder for fuzz reproducers")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: html, markdown, fuzz")
    parser.add_argument("--list", type=int, default=20, help="list at most N failures per suite")
    args = parser.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    needed = {"html": args.data / "html5lib-tests",
              "markdown": args.data / "commonmark" / "commonmark-spec.txt"}
    missing = [str(needed[p]) for p in parts if p in needed and not needed[p].exists()]
    if missing:
        print(f"no conformance data: {', '.join(missing)} missing (--data DIR points elsewhere)",
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    summary: list[SummaryRow] = []
    print(f"conformance run {date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} CPU(s), "
          f"{platform.system()} {platform.release()}, Python {platform.python_version()}\n")
    for part in parts:
        if part == "html":
            lines, rows = html_part(args.data, args.cap, args.list)
        elif part == "markdown":
            lines, rows = markdown_part(args.data, args.cap, args.list)
        else:
            lines, rows = fuzz_part(args, args.list)
        summary += rows
        print("\n".join(lines) + "\n", flush=True)
    exceptions = sum(row.exceptions for row in summary)
    hangs = sum(row.hangs for row in summary)
    print(f"## Summary ({time.perf_counter() - started:.0f} s in all; shares are of the accepted inputs)\n")
    print(summary_table(summary))
    print(f"\n{exceptions} exception(s), {hangs} hang(s)")
    return 1 if exceptions or hangs else 0

if __name__ == "__main__":
    sys.exit(main())
