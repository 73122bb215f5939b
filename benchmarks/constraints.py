"""Speed of constrained decoding against plain ``model.generate``.

Builds, once, a Marian model of the real opus-mt-id-en shape with random
weights (cache: ``benchmarks/.cache/``), its tokenizers trained on NTREX-128
(``../shared/eval-data/ntrex128``) or, when that is missing, on ``corpora/``.
Every run then decodes the same segments at beam 4 with a fixed output length
(``min_new_tokens == max_new_tokens``) so that every configuration does the
same number of decoder steps, and prints seconds and the ratio to plain
``generate``:

* ``generate``: ``model.generate`` without constraints (the baseline);
* ``ours, no constraints``: ``constrained_generate`` with empty constraint lists;
* ``0 terms (routed)``: ``generate_with_constraints`` with no terms, which
  hands the batch to ``model.generate``;
* ``N terms``: every segment carries N glossary terms.

Usage: ``.venv/bin/python benchmarks/constraints.py [--segments 40] [--length 40] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from translate.engines.base import TermConstraint
from translate.engines.common import TermForms
from translate.engines.constrained import (
    Constraint,
    constrained_generate,
    generate_with_constraints,
    token_constraints,
)
from translate.engines.phrases import word_continuation_ids
from translate.testing.marian_factory import OPUS_MT_ID_EN_SHAPE, ModelSpec, build_marian_model

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache" / "opus-mt-id-en-shape"
NTREX = ROOT.parent / "shared" / "eval-data" / "ntrex128"
#: English targets of real glossary entries (places, titles, institutions).
TERMS = ["Moscow", "West Java", "Foreign Minister", "President", "Jakarta", "Prime Minister"]


def _texts() -> tuple[list[str], list[str], str]:
    """Indonesian and English training/benchmark text, and where it came from."""
    ind, eng = NTREX / "ntrex128.ind.txt", NTREX / "ntrex128.eng.txt"
    if ind.exists() and eng.exists():
        return (ind.read_text(encoding="utf-8").splitlines(), eng.read_text(encoding="utf-8").splitlines(),
                str(NTREX))
    print(f"note: {NTREX} is missing; using corpora/*.txt instead", file=sys.stderr)
    corpora = ROOT / "corpora"
    source = [line for p in sorted(corpora.glob("*.id.txt")) for line in p.read_text("utf-8").splitlines()]
    target = [line for p in sorted(corpora.glob("*.en.txt")) for line in p.read_text("utf-8").splitlines()]
    return source, target, str(corpora)


def _model_dir(source: list[str], target: list[str]) -> Path:
    if not (CACHE / "model.safetensors").exists():
        print(f"building a random model of the real shape in {CACHE} (once)...", file=sys.stderr)
        # the glossary terms are added to the target text so the vocabulary can spell them
        spec = ModelSpec("\n".join(source), "\n".join(target + TERMS), OPUS_MT_ID_EN_SHAPE,
                         spm_vocab_size=8000)
        build_marian_model(CACHE, spec)
    return CACHE


@dataclass
class Row:
    name: str
    terms: int  # terms per segment
    run: Callable[[], list[list[int]]]
    times: list[float] = field(default_factory=list)
    outputs: list[list[int]] = field(default_factory=list)


def _measure(rows: list[Row], repeats: int) -> None:
    """Run every configuration ``repeats`` times, round robin, so that load from other
    processes on the machine spreads over all of them instead of hitting one."""
    for _ in range(repeats):
        for row in rows:
            start = time.perf_counter()
            row.outputs = row.run()
            row.times.append(time.perf_counter() - start)


def _term_rate(tokenizer, outputs: list[list[int]], terms: list[list[str]]) -> str:
    """How many of the wanted terms the decoded outputs contain."""
    if not any(terms):
        return "-"
    texts = tokenizer.batch_decode(outputs, skip_special_tokens=True)
    met = sum(term in text for text, wanted in zip(texts, terms, strict=True) for term in wanted)
    return f"{met}/{sum(len(t) for t in terms)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--length", type=int, default=40, help="fixed output length in tokens")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from transformers import MarianMTModel, MarianTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    source, target, origin = _texts()
    directory = _model_dir(source, target)
    model = MarianMTModel.from_pretrained(directory).eval()
    tokenizer = MarianTokenizer.from_pretrained(directory)
    segments = [line for line in source if line.strip()][: args.segments]
    batch = tokenizer(segments, return_tensors="pt", padding=True, truncation=True)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    sizes = {"num_beams": args.beams, "max_new_tokens": args.length, "min_new_tokens": args.length}

    def terms(n: int) -> list[list[str]]:
        return [[TERMS[(i + j) % len(TERMS)] for j in range(n)] for i in range(len(segments))]

    forms = TermForms(tokenizer, str(directory), list)

    def constraints(n: int) -> list[list[Constraint]]:  # as the marian engine builds them
        return [token_constraints([TermConstraint((t,), t) for t in wanted], forms) for wanted in terms(n)]

    def plain() -> list[list[int]]:
        with torch.no_grad():
            return [row[1:] for row in model.generate(input_ids=ids, attention_mask=mask, **sizes).tolist()]

    continuations = word_continuation_ids(tokenizer)  # as the marian engine decodes: terms end words

    def ours(n: int) -> Callable[[], list[list[int]]]:
        return lambda: constrained_generate(model, ids, mask, constraints(n),
                                            word_continuations=continuations, **sizes)

    rows = [
        Row("generate", 0, plain),
        Row("ours, no constraints", 0, ours(0)),
        Row("0 terms (routed)", 0, lambda: generate_with_constraints(model, ids, mask, [[]] * len(segments),
                                                                     **sizes)),
    ]
    rows += [Row(f"{n} term{'s' if n > 1 else ''}", n, ours(n)) for n in (1, 2, 3)]
    model.generation_config.max_length = None  # max_new_tokens rules, as in the engine
    plain()  # warm-up
    _measure(rows, args.repeats)

    print(f"model: random weights, real opus-mt-id-en shape ({directory}); text: {origin}")
    print(f"{len(segments)} segments, beam {args.beams}, fixed length {args.length}, "
          f"torch threads {torch.get_num_threads()}, best and median of {args.repeats} runs")
    base = min(rows[0].times)
    same = all(row.outputs == rows[0].outputs for row in rows[:3])
    print(f"unconstrained outputs identical across the first three rows: {same}")
    print(f"{'configuration':<24}{'best s':>8}{'median s':>10}{'ratio':>8}{'tokens':>8}{'terms met':>11}")
    for row in rows:
        tokens = sum(len(o) for o in row.outputs)
        met = _term_rate(tokenizer, row.outputs, terms(row.terms))
        best, median = min(row.times), statistics.median(row.times)
        print(f"{row.name:<24}{best:>8.2f}{median:>10.2f}{best / base:>7.2f}x{tokens:>8}{met:>11}")
    print("ratio: best time over generate's best time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
