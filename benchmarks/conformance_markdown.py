"""Markdown conformance: every CommonMark, GFM and markdown-it-py example through the pipeline.

For each example of ``commonmark/commonmark-spec.txt``, ``commonmark/gfm-spec.txt``
and ``commonmark/mdit/*.md`` (markdown-it-py's fixtures; its copy of the
CommonMark spec examples is left out) under the conformance folder:

* the ``copy`` engine must give back the input bytes;
* the ``pseudo`` engine's output must have the same skeleton as the input, as an
  independent parser sees it: markdown-it-py with the reader's CommonMark
  preset, plus GFM tables and strikethrough (which the reader always reads) for
  the GFM and markdown-it suites, comparing token types, nesting, heading levels, list
  kinds and starts, table alignments and the href/src of links and images,
  never the text;
* protected content must be unchanged: code spans, fenced and indented code
  (with the fence's info string), HTML blocks and inline HTML;
* nothing may raise, and no example may take longer than ``--time-cap`` seconds.

The table also counts the examples where the reader left some text
untranslated (a block it could not locate stays skeleton, and says so): such a
block keeps its skeleton trivially.

The pipeline is driven through the library (read, segment, translate, write, as
``translate.pipeline.translate_text`` does), in this process.
``conformance_rows`` returns one row per suite (and the outcome of every
example) so other scripts can combine it with their own; ``main`` prints a table
and every example that is not identical, with the reason.

    .venv/bin/python benchmarks/conformance_markdown.py [--root DIR] [--time-cap S] [--limit N]

The data is not part of the repository: without it the script says so and exits 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from translate.engines import create_engine
from translate.formats import get_format
from translate.pipeline import translate_documents
from translate.segment import segment_document

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance"
#: The CommonMark spec's example fences (the spec's own test runner reads them the same way).
FENCE = "`" * 32
#: markdown-it-py's fixture of the CommonMark spec repeats commonmark-spec.txt's examples.
SKIPPED_FIXTURES = frozenset({"commonmark_spec.md"})
#: Tokens whose content is never translated: it must come back exactly.
PROTECTED = frozenset({"code_inline", "fence", "code_block", "html_block", "html_inline"})
#: Attributes that are part of a token's skeleton (the rest, and all text, may change).
SKELETON_ATTRS = ("href", "src", "start", "style")


@dataclass(frozen=True)
class Example:
    suite: str
    name: str  # where it is: "example 12 (line 345)", "tables.md: Simple"
    markdown: str
    dialect: str  # "commonmark" or "gfm"


@dataclass
class Outcome:
    example: Example
    copy_identical: bool = False
    skeleton_identical: bool = False
    protected_unchanged: bool = False
    exception: str = ""
    hung: bool = False
    untranslated: str = ""  # the lines the reader left in the source language
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.copy_identical and self.skeleton_identical and self.protected_unchanged


@dataclass
class SuiteRow:
    suite: str
    examples: int = 0
    copy_identical: int = 0
    skeleton_identical: int = 0
    protected_unchanged: int = 0
    exceptions: int = 0
    hangs: int = 0
    untranslated: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.examples += 1
        self.copy_identical += outcome.copy_identical
        self.skeleton_identical += outcome.skeleton_identical
        self.protected_unchanged += outcome.protected_unchanged
        self.exceptions += bool(outcome.exception)
        self.hangs += outcome.hung
        self.untranslated += bool(outcome.untranslated)


# --------------------------------------------------------------------------- the suites


def spec_examples(path: Path, suite: str, dialect: str) -> list[Example]:
    """The examples of a CommonMark-style spec (``→`` stands for a tab)."""
    examples: list[Example] = []
    lines: list[str] = []
    state, start = 0, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), 1):
        stripped = line.strip()
        if stripped == "<!-- END TESTS -->":
            break
        if state == 0 and line.startswith(FENCE) and stripped[len(FENCE):].strip().startswith("example"):
            state, start, lines = 1, number, []
        elif state and stripped == FENCE:
            name = f"example {len(examples) + 1} (line {start})"
            examples.append(Example(suite, name, "".join(lines).replace("→", "\t"), dialect))
            state = 0
        elif state == 1 and stripped == ".":
            state = 2
        elif state == 1:
            lines.append(line)
    return examples


def fixture_examples(path: Path, suite: str, dialect: str) -> list[Example]:
    """The examples of a markdown-it fixture file: a title line, then ``.``-separated input and output."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    examples: list[Example] = []
    section, last, title = 0, 0, ""
    for number, line in enumerate(lines):
        if line.rstrip() != ".":
            continue
        if section == 0:
            title = lines[number - 1].strip() if number else ""
        elif section == 1:
            name = f"{path.name}: {title} (line {number + 1})"
            examples.append(Example(suite, name, "".join(lines[last + 1 : number]), dialect))
        section, last = (section + 1) % 3, number
    return examples


def load_suites(root: Path) -> dict[str, list[Example]]:
    base = root / "commonmark"
    suites = {
        "commonmark": spec_examples(base / "commonmark-spec.txt", "commonmark", "commonmark"),
        "gfm": spec_examples(base / "gfm-spec.txt", "gfm", "gfm"),
        "markdown-it": [],
    }
    for path in sorted((base / "mdit").glob("*.md")):
        if path.name not in SKIPPED_FIXTURES:
            suites["markdown-it"] += fixture_examples(path, "markdown-it", "gfm")
    return suites


# --------------------------------------------------------------------------- the checks


def parser(dialect: str) -> MarkdownIt:
    md = MarkdownIt("commonmark")
    return md.enable(["table", "strikethrough"]) if dialect == "gfm" else md


def flat_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from flat_tokens(token.children)


def skeleton(md: MarkdownIt, text: str) -> tuple[list[tuple], list[tuple[str, str]]]:
    """The structure a renderer sees (text left out) and the protected contents, in order."""
    structure: list[tuple] = []
    protected: list[tuple[str, str]] = []
    for token in flat_tokens(md.parse(text)):
        if token.type == "text":
            continue
        attrs = tuple((name, str(token.attrGet(name))) for name in SKELETON_ATTRS
                      if token.attrGet(name) is not None)
        structure.append((token.type, token.tag, token.nesting, attrs))
        if token.type in PROTECTED:
            protected.append((token.type, token.info + "\n" + token.content))
    return structure, protected


def first_difference(before: list, after: list) -> str:
    for index, (a, b) in enumerate(zip(before, after, strict=False)):
        if a != b:
            return f"token {index}: {a!r} became {b!r}"
    return f"{len(before)} tokens became {len(after)}"


class _TimeUp(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _TimeUp


def run_pipeline(markdown: str, engine_name: str) -> tuple[str, list[str]]:
    """The output of one engine on ``markdown``, and where the reader left text untranslated."""
    fmt = get_format("markdown")
    document = segment_document(fmt.read(markdown.encode("utf-8"), "example.md"))
    translate_documents([document], create_engine(engine_name))
    return fmt.write(document).decode("utf-8"), document.untranslated


def check(example: Example, time_cap: float) -> Outcome:
    """Copy and pseudo runs of one example, under a time cap (SIGALRM: this process, main thread)."""
    outcome = Outcome(example)
    md = parser(example.dialect)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, time_cap)
    try:
        copied, untranslated = run_pipeline(example.markdown, "copy")
        outcome.untranslated = ", ".join(untranslated)
        outcome.copy_identical = copied == example.markdown
        if not outcome.copy_identical:
            outcome.reasons.append("copy changed the bytes")
        pseudo, _ = run_pipeline(example.markdown, "pseudo")
        before, protected_before = skeleton(md, example.markdown)
        after, protected_after = skeleton(md, pseudo)
        outcome.skeleton_identical = before == after
        if not outcome.skeleton_identical:
            outcome.reasons.append(f"skeleton: {first_difference(before, after)}")
        outcome.protected_unchanged = protected_before == protected_after
        if not outcome.protected_unchanged:
            outcome.reasons.append(f"protected: {first_difference(protected_before, protected_after)}")
    except _TimeUp:
        outcome.hung = True
        outcome.reasons.append(f"over the {time_cap:g} s cap")
    except Exception as error:  # noqa: BLE001 - any exception is what this run counts
        outcome.exception = f"{type(error).__name__}: {error}"
        outcome.reasons.append(f"exception {outcome.exception}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return outcome


def conformance_rows(root: Path = DEFAULT_ROOT, time_cap: float = 5.0,
                     limit: int | None = None) -> tuple[list[SuiteRow], list[Outcome]]:
    """One row per suite, and every example's outcome."""
    rows: list[SuiteRow] = []
    outcomes: list[Outcome] = []
    for suite, examples in load_suites(root).items():
        row = SuiteRow(suite)
        started = time.perf_counter()
        for example in examples[:limit]:
            outcome = check(example, time_cap)
            row.add(outcome)
            outcomes.append(outcome)
        row.seconds = time.perf_counter() - started
        rows.append(row)
    return rows, outcomes


def table(rows: list[SuiteRow]) -> str:
    total = SuiteRow("total")
    for row in rows:
        for name in ("examples", "copy_identical", "skeleton_identical", "protected_unchanged", "exceptions",
                     "hangs", "untranslated", "seconds"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    lines = ["| suite | examples | copy identical | skeleton identical | protected unchanged | exceptions "
             "| hangs | text left untranslated | seconds |", "|---|---|---|---|---|---|---|---|---|"]
    for row in [*rows, total]:
        share = f"{row.skeleton_identical / row.examples:.1%}" if row.examples else "-"
        lines.append(f"| {row.suite} | {row.examples} | {row.copy_identical} "
                     f"| {row.skeleton_identical} ({share}) | {row.protected_unchanged} | {row.exceptions} "
                     f"| {row.hangs} | {row.untranslated} | {row.seconds:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser_ = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser_.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the conformance folder")
    parser_.add_argument("--time-cap", type=float, default=5.0, help="seconds allowed per example")
    parser_.add_argument("--limit", type=int, default=None, help="first N examples of each suite")
    args = parser_.parse_args(argv)
    if not (args.root / "commonmark" / "commonmark-spec.txt").exists():
        print(f"no conformance data under {args.root} (expected commonmark/commonmark-spec.txt); "
              "pass --root DIR", file=sys.stderr)
        return 2
    rows, outcomes = conformance_rows(args.root, args.time_cap, args.limit)
    print(table(rows))
    failed = [outcome for outcome in outcomes if not outcome.ok or outcome.exception or outcome.hung]
    if failed:
        print(f"\n{len(failed)} examples not identical:")
        for outcome in failed:
            print(f"- {outcome.example.suite} {outcome.example.name}: {'; '.join(outcome.reasons)}")
    untranslated = [outcome for outcome in outcomes if outcome.untranslated]
    if untranslated:
        print(f"\n{len(untranslated)} examples with text left untranslated (lines):")
        for outcome in untranslated:
            print(f"- {outcome.example.suite} {outcome.example.name}: {outcome.untranslated}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
