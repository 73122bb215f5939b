"""A folder of short articles: translated one by one, or together as ``translate run`` groups them.

News articles are short (NTREX-128's average ~15 segments), so translating them
one at a time gives the ct2 engine half-empty batches and a tail at the end of
each article where one translator idles.  ``translate run`` translates
consecutive articles together until a group holds the engine's ``chunk_size``
segments, then writes each.  This prints both timings side by side, round
robin, on the real-shape random model (built and cached by ``constraints.py``)
and the first ``--docs`` NTREX-128 articles (``../shared/eval-data``).

Usage: ``.venv/bin/python benchmarks/articles.py [--docs 20] [--length 24] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--length", type=int, default=24, help="fixed output length in tokens (EOS included)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ["TRANSLATE_CACHE"] = str(HERE / ".cache")
    sys.path.insert(0, str(HERE))
    from constraints import NTREX, _model_dir, _texts

    if not (NTREX / "ntrex128.ind.txt").exists():
        print(f"error: {NTREX} is missing (../shared/eval-data); this benchmark needs its articles",
              file=sys.stderr)
        return 2
    from translate.engines import create_engine
    from translate.evaluate.corpus import build_ntrex
    from translate.pipeline import document_groups, load_document, translate_documents

    model = _model_dir(*_texts()[:2])
    engine = create_engine("ct2", model=str(model), beam=4, batch_size=16, max_length=args.length,
                           min_length=args.length - 1)
    engine.load()
    with tempfile.TemporaryDirectory(prefix="articles-") as work:
        files = sorted(build_ntrex(NTREX, work, max_docs=args.docs).glob("*.id.txt"))

        def documents() -> list:
            return [load_document(f, "auto") for f in files]

        segments = sum(1 for d in documents() for _ in d.segments())
        translate_documents(documents()[:1], engine)  # warm up

        def one_by_one() -> None:
            for document in documents():
                translate_documents([document], engine)

        def grouped() -> None:
            loaded = documents()
            counts = [sum(1 for _ in d.segments()) for d in loaded]
            for group in document_groups(loaded, counts, engine.chunk_size):
                translate_documents(group, engine)

        times: dict[str, list[float]] = {"one by one": [], "grouped (translate run)": []}
        for _ in range(args.repeats):
            for name, job in (("one by one", one_by_one), ("grouped (translate run)", grouped)):
                start = time.perf_counter()
                job()
                times[name].append(time.perf_counter() - start)
    print(f"{len(files)} NTREX-128 articles, {segments} segments, ct2 int8, beam 4, fixed length "
          f"{args.length - 1} + EOS, best of {args.repeats} (round robin); {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    base = min(times["one by one"])
    for name, values in times.items():
        print(f"{name:<26}{min(values):>8.2f} s{base / min(values):>8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
