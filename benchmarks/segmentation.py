"""Sentence segmentation benchmark: our rules against syntok and sentencex.

Protocol (``../shared/eval-data/README.md``): rebuild each NTREX-128 Indonesian
article's paragraphs (a line that does not end in terminal punctuation, such as
a headline, ends its paragraph; the other lines are joined with one space),
segment every paragraph, and compare the predicted sentence boundaries with the
original line breaks.  A boundary is the character offset, within its paragraph,
where a sentence other than the first starts; precision, recall and F1 count
boundaries over the whole corpus.

    .venv/bin/python benchmarks/segmentation.py [--data DIR] [--flores] [--errors N]

The data is not part of the repository: without it the script says so and exits 2.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from translate.segment import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-data"
#: A line "ends in terminal punctuation" when it does past closing quotes and brackets.
TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")


@dataclass
class Paragraph:
    text: str
    gold: set[int]  # offsets where a line other than the first starts


def paragraphs(articles: Iterable[list[str]]) -> list[Paragraph]:
    """Rebuild paragraphs from one-sentence lines, grouped by article."""
    result: list[Paragraph] = []
    for lines in articles:
        text, gold = "", set()
        for line in lines:
            line = line.strip()
            if not line:
                continue
            if text:
                text += " "
                gold.add(len(text))
            text += line
            if not TERMINAL.search(line):
                result.append(Paragraph(text, gold))
                text, gold = "", set()
        if text:
            result.append(Paragraph(text, gold))
    return result


def group(lines: list[str], keys: list[str]) -> list[list[str]]:
    """Consecutive lines with one key form one article."""
    if len(lines) != len(keys):
        raise SystemExit(f"{len(lines)} lines but {len(keys)} article keys")
    articles: list[list[str]] = []
    previous = None
    for line, key in zip(lines, keys, strict=True):
        if key != previous or not articles:
            articles.append([])
        articles[-1].append(line)
        previous = key
    return articles


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def load_ntrex(data: Path) -> list[list[str]]:
    folder = data / "ntrex128"
    return group(read_lines(folder / "ntrex128.ind.txt"), read_lines(folder / "document_ids.txt"))


def load_flores(data: Path) -> list[list[str]]:
    folder = data / "flores200"
    with (folder / "metadata_devtest.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    return group(read_lines(folder / "devtest.ind.txt"), [row[0] for row in rows])


# Each system maps a paragraph to the offsets where its sentences (but the first) start.


def ours(text: str) -> list[int]:
    return [start for start, _ in split_sentences(text)[1:]]


def syntok_starts(text: str) -> list[int]:
    from syntok import segmenter

    return [sentence[0].offset for paragraph in segmenter.analyze(text) for sentence in paragraph][1:]


def sentencex_starts(text: str) -> list[int]:
    import sentencex

    starts, cursor = [], 0
    for sentence in sentencex.segment("id", text):
        stripped = sentence.strip()
        if not stripped:
            continue
        found = text.find(stripped, cursor)
        if found < 0:
            raise RuntimeError(f"sentencex returned text not in its input: {stripped!r}")
        starts.append(found)
        cursor = found + len(stripped)
    return starts[1:]


SYSTEMS: dict[str, Callable[[str], list[int]]] = {
    "ours (translate.segment)": ours,
    "syntok": syntok_starts,
    "sentencex": sentencex_starts,
}


@dataclass
class Score:
    system: str
    gold: int
    predicted: int
    correct: int
    seconds: float

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def evaluate(name: str, system: Callable[[str], list[int]], paras: list[Paragraph]) -> Score:
    began = time.perf_counter()
    predictions = [set(system(p.text)) for p in paras]
    seconds = time.perf_counter() - began
    gold = sum(len(p.gold) for p in paras)
    predicted = sum(len(found) for found in predictions)
    correct = sum(len(found & p.gold) for found, p in zip(predictions, paras, strict=True))
    return Score(name, gold, predicted, correct, seconds)


def table(title: str, scores: list[Score]) -> str:
    rows = [
        title,
        "| system | precision | recall | F1 | gold | predicted | time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        rows.append(
            f"| {s.system} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {s.gold} | {s.predicted} "
            f"| {s.seconds:.3f} |"
        )
    return "\n".join(rows)


def show_errors(paras: list[Paragraph], limit: int, width: int = 60) -> None:
    """Print up to ``limit`` of our false splits (FP) and missed boundaries (FN), in context."""
    shown = 0
    for p in paras:
        found = set(ours(p.text))
        for kind, offsets in (("FP", found - p.gold), ("FN", p.gold - found)):
            for offset in sorted(offsets):
                if shown >= limit:
                    return
                left = p.text[max(0, offset - width) : offset]
                right = p.text[offset : offset + width]
                print(f"{kind}: …{left}‖{right}…")
                shown += 1


def available(systems: dict[str, Callable[[str], list[int]]]) -> dict[str, Callable[[str], list[int]]]:
    """Drop the optional libraries that are not installed (pip install '.[bench]')."""
    kept = {}
    for name, system in systems.items():
        try:
            system("Satu. Dua.")
        except ImportError as error:
            print(f"skipping {name}: {error}", file=sys.stderr)
            continue
        kept[name] = system
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="eval-data folder (default: %(default)s)"
    )
    parser.add_argument("--flores", action="store_true", help="also score FLORES-200 devtest (noisier gold)")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N of our errors per corpus")
    args = parser.parse_args(argv)

    if not (args.data / "ntrex128" / "ntrex128.ind.txt").is_file():
        print(
            f"NTREX-128 not found under {args.data}: this benchmark needs the shared eval data "
            "(../shared/eval-data/ relative to the repository root) or --data DIR",
            file=sys.stderr,
        )
        return 2
    systems = available(SYSTEMS)
    corpora = [("NTREX-128 ind", paragraphs(load_ntrex(args.data)))]
    if args.flores:
        if not (args.data / "flores200" / "devtest.ind.txt").is_file():
            print(f"FLORES-200 not found under {args.data}", file=sys.stderr)
            return 2
        corpora.append(("FLORES-200 devtest ind", paragraphs(load_flores(args.data))))
    for title, paras in corpora:
        print(table(f"{title}: {len(paras)} paragraphs", [evaluate(n, s, paras) for n, s in systems.items()]))
        print()
    for title, paras in corpora:
        if args.errors:
            print(f"Our errors on {title} (FP: split not in gold, FN: gold boundary missed):")
            show_errors(paras, args.errors)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
