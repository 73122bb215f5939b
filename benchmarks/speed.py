"""Speed and memory of the engines: raw decoders against the ``translate`` pipeline on each.

Builds once (cached in ``benchmarks/.cache/``, shared with ``constraints.py``) a
Marian model of the real opus-mt-id-en shape with random weights, and its
CTranslate2 int8 conversion.  Takes the first ``--segments`` sentences of
NTREX-128 Indonesian (``../shared/eval-data/ntrex128``; ``corpora/`` when it is
missing), exactly as the pipeline segments them, and translates them at beam 4
with a fixed output length (``--length`` tokens: every row decodes as many
steps) in six configurations:

* ``transformers generate``: ``MarianMTModel.generate`` on batches of 16, fp32;
* ``ct2 translate_batch``: ``ctranslate2.Translator.translate_batch``, int8;
* ``pipeline marian`` / ``pipeline ct2``: ``translate_documents`` (segments,
  engine, merge) on the same text, without and with a glossary built to
  match in ``--glossary-share`` of the segments (each matched segment then
  needs its terms enforced: a random model never writes them by itself);
  the ct2 engine re-decodes such a segment after its forced prefix greedily
  (its default), and in the last row at the full beam (``--force-beam 4``).

Each configuration runs in a fresh process (so its peak RSS is its own),
``--repeats`` times, round robin (the transformers rows ``--torch-repeats``
times: they are 5-10x slower); the table shows the best time.  Ratios are
target tokens/s over raw transformers' (``x tf``) and seconds over the same
engine's raw decoder (``/raw``).

Usage: ``.venv/bin/python benchmarks/speed.py [--segments 200] [--length 32] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE_ROOT = HERE / ".cache"
BATCH = 16
BEAM = 4
ROWS = ["transformers generate", "ct2 translate_batch", "pipeline marian", "pipeline ct2",
        "pipeline marian + glossary", "pipeline ct2 + glossary", "pipeline ct2 + glossary (force beam 4)"]


# --------------------------------------------------------------------------- the shared inputs


def _segments(count: int) -> tuple[str, list[str], str]:
    """The benchmark text (one paragraph per source line) and its first ``count`` unique segments."""
    from constraints import _texts

    from translate.document import strip_codes
    from translate.pipeline import load_document

    lines, _, origin = _texts()
    paragraphs: list[str] = []
    seen: set[str] = set()
    segments: list[str] = []
    for line in (x.strip() for x in lines):
        if not line:
            continue
        document = load_document("x.txt", "text", line.encode("utf-8"))
        new = [strip_codes(s.source) for s in document.segments()]
        new = [s for s in new if s not in seen]
        if not new or len(segments) + len(new) > count:
            continue
        paragraphs.append(line)
        segments += new
        seen.update(new)
        if len(segments) == count:
            break
    return "\n\n".join(paragraphs) + "\n", segments, origin


def _glossary_file(segments: list[str], share: float, directory: Path) -> Path:
    """A glossary of source words that together match in ``share`` of the segments.

    Words are taken by how many segments hold them (rarer first, ≥ 2 segments,
    ≥ 5 letters) until the share is reached; their targets cycle through
    English terms the benchmark model's vocabulary can write.
    """
    import re

    from constraints import TERMS

    words: dict[str, set[int]] = {}
    for index, text in enumerate(segments):
        for word in re.findall(r"[A-Za-z]{5,}", text):
            words.setdefault(word.lower(), set()).add(index)
    candidates = sorted((w for w, where in words.items() if len(where) >= 2),
                        key=lambda w: (len(words[w]), w))
    covered: set[int] = set()
    chosen: list[str] = []
    for word in candidates:
        if len(covered) >= share * len(segments):
            break
        if words[word] - covered:
            chosen.append(word)
            covered |= words[word]
    path = directory / "speed-glossary.tsv"
    rows = ["source\ttarget\talternatives\tcategory\tcase_sensitive\tnote"]
    rows += [f"{word}\t{TERMS[k % len(TERMS)]}\t\tother\tno\t" for k, word in enumerate(chosen)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- one configuration (child)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class _Counting:
    """An engine proxy that counts the target tokens the pipeline got back."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self.tokens = 0

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def translate(self, texts, align=None, constraints=None):
        results = self._engine.translate(texts, align=align, constraints=constraints)
        self.tokens += sum(len(r.tokens) for r in results)
        return results


def _worker(row: str, config: dict) -> dict:
    """Load (untimed), warm up on a few segments, then time one full run of ``row``."""
    length, segments = config["length"], config["segments"]
    if row == "transformers generate":
        return _run_transformers(config["model"], segments, length)
    if row == "ct2 translate_batch":
        return _run_ct2(config["ct2"], config["model"], segments, length)
    return _run_pipeline(row, config)


def _run_transformers(model_dir: str, segments: list[str], length: int) -> dict:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    model = MarianMTModel.from_pretrained(model_dir).eval()
    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    # exactly length-1 new tokens, no forced EOS step: as many decoder steps as ct2 makes
    sizes = {"num_beams": BEAM, "max_new_tokens": length - 1, "min_new_tokens": length - 1,
             "forced_eos_token_id": None, "max_length": None}
    order = sorted(segments, key=lambda s: len(tokenizer.tokenize(s)))

    def run(texts: list[str]) -> int:
        produced = 0
        for k in range(0, len(texts), BATCH):
            batch = tokenizer(texts[k:k + BATCH], return_tensors="pt", padding=True)
            with torch.inference_mode():
                out = model.generate(**batch, **sizes)
            special = set(tokenizer.all_special_ids)
            produced += sum(1 for row in out.tolist() for t in row[1:] if t not in special)
        return produced

    run(order[:BATCH])
    start = time.perf_counter()
    tokens = run(order)
    return {"seconds": time.perf_counter() - start, "tokens": tokens, "threads": torch.get_num_threads()}


def _run_ct2(ct2_dir: str, model_dir: str, segments: list[str], length: int) -> dict:
    import ctranslate2

    from translate.engines.ct2 import available_cores, default_threads
    from translate.engines.spm_tokenizer import MarianSpm

    tokenizer = MarianSpm.from_dir(ct2_dir)
    inter, intra = default_threads(available_cores())  # the same threads as the engine: the best we found
    translator = ctranslate2.Translator(ct2_dir, device="cpu", compute_type="default", inter_threads=inter,
                                        intra_threads=intra)
    options = {"beam_size": BEAM, "max_decoding_length": length - 1, "min_decoding_length": length - 1,
               "max_batch_size": BATCH}

    def run(texts: list[str]) -> int:
        sources = [tokenizer.tokenize(t) + ["</s>"] for t in texts]
        results = translator.translate_batch(sources, **options)
        return sum(len(r.hypotheses[0]) for r in results)

    run(segments[:BATCH])
    start = time.perf_counter()
    tokens = run(segments)
    return {"seconds": time.perf_counter() - start, "tokens": tokens}


def _run_pipeline(row: str, config: dict) -> dict:
    from translate.engines import create_engine
    from translate.formats import get_format
    from translate.glossary import load_glossary
    from translate.pipeline import translate_documents
    from translate.segment import segment_document

    length = config["length"]
    glossary = load_glossary([config["glossary"]]) if "+ glossary" in row else None
    if " ct2" in row:
        engine = create_engine("ct2", model=config["model"], beam=BEAM, batch_size=BATCH, max_length=length,
                               min_length=length - 1, force_beam=BEAM if "force beam" in row else None)
        engine.load()
    else:
        engine = create_engine("marian", model=config["model"], beam=BEAM, batch_size=BATCH,
                               max_length=length)
        engine.load()
        engine._generation.min_new_tokens = length - 1  # fixed length, as the other rows (benchmark only)
    fmt = get_format("text")

    def run(text: str) -> tuple[_Counting, list]:
        counting = _Counting(engine)
        document = segment_document(fmt.read(text.encode("utf-8"), "bench.txt"))
        uses = translate_documents([document], counting, glossary=glossary)
        fmt.write(document)
        return counting, uses

    run("\n\n".join(config["segments"][:BATCH]) + "\n")
    start = time.perf_counter()
    counting, uses = run(config["text"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "tokens": counting.tokens, "terms": sum(u.found for u in uses),
            "term_total": len(uses), "torch": "torch" in sys.modules}


# --------------------------------------------------------------------------- the table (parent)


@dataclass
class Result:
    row: str
    seconds: list[float] = field(default_factory=list)
    tokens: int = 0
    rss: float = 0.0
    extra: dict = field(default_factory=dict)


def _child(row: str, config_path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", row, "--config", str(config_path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{row}: worker failed\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--length", type=int, default=32, help="fixed output length in tokens (EOS included)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch-repeats", type=int, default=1,
                        help="runs of the (5-10x slower) transformers rows; default 1")
    parser.add_argument("--glossary-share", type=float, default=0.25)
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated subset of the rows")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        config = json.loads(Path(args.config).read_text("utf-8"))
        os.environ["TRANSLATE_CACHE"] = config["cache"]
        result = _worker(args.worker, config)
        result["rss_mb"] = _rss_mb()
        print(json.dumps(result))
        return 0

    os.environ["TRANSLATE_CACHE"] = str(CACHE_ROOT)
    sys.path.insert(0, str(HERE))
    from constraints import _model_dir, _texts  # the model constraints.py builds and caches (imports torch)

    source, target, _ = _texts()
    model_dir = _model_dir(source, target)
    from translate.engines.ct2_convert import convert_model

    ct2_dir = convert_model(str(model_dir), quantization="int8")
    text, segments, origin = _segments(args.segments)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    with tempfile.TemporaryDirectory(prefix="speed-") as work:
        glossary = _glossary_file(segments, args.glossary_share, Path(work))
        from translate.glossary import load_glossary

        loaded = load_glossary([glossary])
        matched = sum(1 for s in segments if loaded.match(s))
        config_path = Path(work) / "config.json"
        config_path.write_text(json.dumps({
            "model": str(model_dir), "ct2": str(ct2_dir), "segments": segments, "text": text,
            "length": args.length, "glossary": str(glossary), "cache": str(CACHE_ROOT)}), "utf-8")
        results = {row: Result(row) for row in rows}
        for repeat in range(args.repeats):
            for row in rows:
                if repeat >= args.torch_repeats and ("marian" in row or "transformers" in row):
                    continue
                measured = _child(row, config_path)
                print(f"  {row}: {measured['seconds']:.2f} s, {measured['tokens']} tokens, "
                      f"{measured['rss_mb']:.0f} MB", file=sys.stderr, flush=True)
                result = results[row]
                result.seconds.append(measured.pop("seconds"))
                result.tokens = measured.pop("tokens")
                result.rss = max(result.rss, measured.pop("rss_mb"))
                result.extra = measured
    _print_table(results, args, origin, len(segments), matched, len(loaded))
    return 0


def _print_table(results: dict[str, Result], args: argparse.Namespace, origin: str, count: int,
                 matched: int, terms: int) -> None:
    load = os.getloadavg()[0]
    print(f"model: random weights, real opus-mt-id-en shape; text: {origin}")
    print(f"{count} segments, beam {BEAM}, batch {BATCH}, fixed length {args.length - 1} tokens + EOS, "
          f"best of {args.repeats} runs ({args.torch_repeats} for transformers rows), a fresh process each; "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"glossary: {terms} terms, matching in {matched}/{count} segments ({matched / count:.0%})")
    base = results.get("transformers generate")
    base_rate = base.tokens / min(base.seconds) if base else None
    raw = {"marian": results.get("transformers generate"), "ct2": results.get("ct2 translate_batch")}
    print(f"{'configuration':<40}{'best s':>8}{'tokens':>8}{'tok/s':>8}{'x tf':>7}{'/raw':>7}{'RSS MB':>8}"
          f"{'terms':>10}")
    for row, result in results.items():
        best = min(result.seconds)
        rate = result.tokens / best
        speedup = f"{rate / base_rate:.2f}" if base_rate else "-"
        engine = "ct2" if "ct2" in row else "marian"
        reference = raw[engine]
        over = f"{best / min(reference.seconds):.2f}" if reference and row.startswith("pipeline") else "-"
        terms_met = (f"{result.extra['terms']}/{result.extra['term_total']}" if result.extra.get("term_total")
                     else "-")
        print(f"{row:<40}{best:>8.2f}{result.tokens:>8}{rate:>8.0f}{speedup:>7}{over:>7}{result.rss:>8.0f}"
              f"{terms_met:>10}")
    print("x tf: tokens/s over raw transformers'; /raw: seconds over the same engine's raw decoder")


if __name__ == "__main__":
    raise SystemExit(main())
