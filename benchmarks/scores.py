"""What the engines' scores cost, how exact they are, and what they look like on the corpora.

``--cost`` (the default): the random model of the real opus-mt-id-en shape
that ``constraints.py`` builds and caches, and its CTranslate2 int8
conversion; the first ``--segments`` NTREX-128 sentences (``corpora/`` when the
shared data is missing) translated by each engine's ``translate`` at beam 4,
batch 16, ``max_length`` ``--length`` (a random model rarely ends a sentence,
so most outputs are cut there).  The scores come from the search itself, so
they cost nothing in ``translate``; side by side in one run this measures what
they replaced and how far they are from it: a teacher-forced pass over the same
outputs (ct2: ``score_batch``; marian: one transformers forward pass, batch
16), its time as a share of ``translate``, and the largest difference between
the two scores.  For marian, which now decodes every batch with our beam search
to get them, also ``translate`` through ``model.generate`` (no scores).
Configurations run round robin, best of ``--repeats``; times are the process's
CPU seconds (all threads), which the other jobs of a shared machine disturb
far less than wall time (``translate`` also shows its wall time).

``--corpora``: builds the tiny test model (tests/conftest.py's spec, cached in
``benchmarks/.cache/tiny``; ``--tiny-model DIR`` to use another), translates
every ``corpora/*.id.*`` article with it and prints per document the scores'
median, MAD, range, how many outputs hit ``max_length`` and what the
``confidence`` QA check flags.  The tiny model is random: its scores say how the
check behaves on a uniformly unsure engine, not how good a translation is.

Usage: ``.venv/bin/python benchmarks/scores.py [--cost] [--corpora] [--segments 200] [--length 32]``
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
BEAM, BATCH = 4, 16


def _round_robin(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, tuple[float, float]]:
    """Each run called ``repeats`` times in turn: its best wall and best CPU seconds (the process's,
    all threads: on a shared machine CPU time is what other jobs disturb least)."""
    best = {name: (math.inf, math.inf) for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def _generate_only(engine, texts: list[str]):
    """marian through ``model.generate``, as it translated before it had scores (no scores)."""
    engine._generate_only = "benchmark"
    try:
        return engine.translate(texts)
    finally:
        engine._generate_only = None


def _ct2_teacher_forced(engine, texts: list[str], results) -> list[float | None]:
    """``score_batch`` over the outputs, batches of 16 submitted at once (as ``translate`` does)."""
    sources = [engine._encode(text, k) for k, text in enumerate(texts)]
    batches = [range(start, min(start + BATCH, len(texts))) for start in range(0, len(texts), BATCH)]
    pending = [engine._translator.score_batch([sources[k].tokens for k in rows],
                                              [results[k].tokens for k in rows],
                                              max_input_length=0, asynchronous=True) for rows in batches]
    scores: list[float | None] = []
    for rows, scored in zip(batches, pending, strict=True):
        for k, result in zip(rows, scored, strict=True):
            log_probs = result.result().log_probs
            chosen = log_probs[:-1] if results[k].truncated else log_probs
            scores.append(sum(chosen) / len(chosen) if chosen else None)
    return scores


def _marian_teacher_forced(engine, texts: list[str], results) -> list[float | None]:
    """One transformers forward pass per batch of 16 over the outputs: their exact scores."""
    import torch

    model, tokenizer = engine._model, engine._tokenizer
    start_id, pad, eos = model.config.decoder_start_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id
    scores: list[float | None] = []
    for first in range(0, len(texts), BATCH):
        rows = list(range(first, min(first + BATCH, len(texts))))
        targets = [tokenizer.convert_tokens_to_ids(results[k].tokens) + [eos] for k in rows]
        width = max(len(t) for t in targets)
        decoder = torch.tensor([[start_id] + t[:-1] + [pad] * (width - len(t)) for t in targets])
        with torch.inference_mode():
            encoded = tokenizer([texts[k] for k in rows], return_tensors="pt", padding=True)
            log_probs = torch.log_softmax(model(**encoded, decoder_input_ids=decoder).logits.float(), dim=-1)
        for row, (k, target) in enumerate(zip(rows, targets, strict=True)):
            chosen = target[:-1] if results[k].truncated else target
            picked = log_probs[row, range(len(chosen)), chosen]
            scores.append(float(picked.mean()) if chosen else None)
    return scores


def _largest_difference(results, exact: list[float | None]) -> float:
    return max(abs(r.score - e) for r, e in zip(results, exact, strict=True)
               if r.score is not None and e is not None)


def cost(segments: int, length: int, repeats: int) -> None:
    sys.path.insert(0, str(HERE))
    from constraints import _model_dir, _texts
    from speed import _segments

    from translate.engines.ct2 import CTranslate2Engine
    from translate.engines.ct2_convert import convert_model
    from translate.engines.marian import MarianEngine

    os.environ["TRANSLATE_CACHE"] = str(CACHE)
    source, target, _ = _texts()
    model = _model_dir(source, target)
    convert_model(str(model), quantization="int8")
    _, texts, origin = _segments(segments)
    print(f"model: random weights, real opus-mt-id-en shape; {len(texts)} segments of {origin}; beam {BEAM}, "
          f"batch {BATCH}, max_length {length}; best of {repeats}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'engine':<8}{'translate s':>13}{'CPU s':>8}{'teacher-forced CPU s':>22}{'share':>8}"
          f"{'max |diff|':>12}{'cut':>6}{'generate CPU s':>16}  same text")
    ct2 = CTranslate2Engine(str(model), beam=BEAM, batch_size=BATCH, max_length=length, quantization="int8")
    marian = MarianEngine(str(model), beam=BEAM, batch_size=BATCH, max_length=length)
    engines = (("ct2", ct2, _ct2_teacher_forced), ("marian", marian, _marian_teacher_forced))
    for name, engine, exact in engines:
        engine.load()
        results = engine.translate(texts)  # warm up; the outputs the teacher-forced pass scores
        runs = {"translate": partial(engine.translate, texts),
                "forced": partial(exact, engine, texts, results)}
        if name == "marian":
            runs["generate"] = partial(_generate_only, engine, texts)
        best = _round_robin(runs, repeats)
        scores = exact(engine, texts, results)
        generate = same = ""
        if name == "marian":
            plain = _generate_only(engine, texts)
            generate = f"{best['generate'][1]:.2f}"
            same = f"{sum(a.text == b.text for a, b in zip(results, plain, strict=True))}/{len(texts)}"
        (wall, cpu), forced = best["translate"], best["forced"][1]
        print(f"{name:<8}{wall:>13.2f}{cpu:>8.2f}{forced:>22.2f}{forced / cpu:>8.1%}"
              f"{_largest_difference(results, scores):>12.2e}{sum(r.truncated for r in results):>6}"
              f"{generate:>16}  {same}", flush=True)


def tiny_model(directory: Path | None) -> Path:
    """The tiny random model of the tests (tests/conftest.py's spec), built once."""
    if directory is not None:
        return directory
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import _ALPHABET, _SOURCE, _TARGET

    from translate.testing.marian_factory import TINY_SHAPE, ModelSpec, build_marian_model

    place = CACHE / "tiny"
    if not (place / "model.safetensors").exists():
        spec = ModelSpec(_SOURCE * 3, _TARGET * 3 + _ALPHABET + "\n", TINY_SHAPE, spm_vocab_size=150)
        build_marian_model(place, spec)
    return place


def corpora(model: Path, max_length: int) -> None:
    from translate.engines.marian import MarianEngine
    from translate.pipeline import Translator, load_document
    from translate.qa import check_document, select_checks
    from translate.settings import Settings

    engine = MarianEngine(str(model), max_length=max_length)
    settings = Settings()
    translator = Translator(engine, None, settings.localizer()).load()
    print(f"model: {model} (random weights), beam {engine.beam}, max_length {max_length}")
    print(f"{'document':<26}{'scored':>7}{'median':>8}{'MAD':>7}{'min':>8}{'max':>8}{'cut':>5}{'flagged':>9}")
    everything: list[float] = []
    for path in sorted((ROOT / "corpora").glob("*.id.*")):
        document = load_document(path)
        translated = translator.translate(document)
        scores = [s.score for s in document.segments() if s.score is not None]
        cut = sum(1 for s in document.segments() if s.truncated)
        checked = check_document(document, translated.protections, checks=select_checks(["confidence"]))
        everything += scores
        median = statistics.median(scores)
        mad = statistics.median(abs(s - median) for s in scores)
        print(f"{path.name:<26}{len(scores):>7}{median:>8.3f}{mad:>7.3f}{min(scores):>8.3f}{max(scores):>8.3f}"
              f"{cut:>5}{len(checked.issues):>9}")
    quartiles = statistics.quantiles(everything, n=4)
    print(f"all {len(everything)} scores: min {min(everything):.3f}, quartiles "
          f"{', '.join(f'{q:.3f}' for q in quartiles)}, max {max(everything):.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cost", action="store_true", help="time the scoring (the default)")
    parser.add_argument("--corpora", action="store_true", help="scores of the tiny model on corpora/")
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--length", type=int, default=32, help="max_length of the cost run (EOS included)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tiny-model", type=Path, help="the tiny model's directory (default: build it)")
    parser.add_argument("--max-length", type=int, default=256, help="max_length of the corpora run")
    args = parser.parse_args(argv)
    if args.cost or not args.corpora:
        cost(args.segments, args.length, args.repeats)
    if args.corpora:
        corpora(tiny_model(args.tiny_model), args.max_length)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
