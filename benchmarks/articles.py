"""A folder of short articles: each batched on its own (``translate run``), or pooled with its neighbours.

News articles are short (NTREX-128's average ~15 segments), so batching each
one on its own gives the ct2 engine half-empty batches and a tail at the end of
each article where one translator idles.  Until 19.4 ``translate run`` pooled
consecutive articles until a group held the engine's ``chunk_size`` segments;
but CTranslate2's output moves with the padding of a batch, so an article then
came out otherwise when resumed with ``--skip-existing`` (its neighbours had
been written already).  ``translate run`` now batches each article on its own:
this prints what that costs, both ways side by side, round robin, on the
real-shape random model (built and cached by ``constraints.py``) and the first
``--docs`` NTREX-128 articles (``../shared/eval-data``, or ``--ntrex DIR``).

Usage: ``.venv/bin/python benchmarks/articles.py [--docs 20] [--length 24] [--repeats 3] [--ntrex DIR]``
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
    parser.add_argument("--ntrex", type=Path, help="ntrex128 folder (default: ../shared/eval-data/ntrex128)")
    args = parser.parse_args(argv)

    os.environ["TRANSLATE_CACHE"] = str(HERE / ".cache")
    sys.path.insert(0, str(HERE))
    import constraints

    if args.ntrex:
        constraints.NTREX = args.ntrex
    from constraints import NTREX, _model_dir, _texts

    if not (NTREX / "ntrex128.ind.txt").exists():
        print(f"error: {NTREX} is missing (../shared/eval-data); this benchmark needs its articles",
              file=sys.stderr)
        return 2
    from translate.document import Document
    from translate.engines import create_engine
    from translate.evaluate.corpus import build_ntrex
    from translate.pipeline import load_document, translate_documents

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
            translate_documents(documents(), engine)  # each article batched on its own

        def pool(group: list[Document]) -> Document:
            """One document holding the blocks of several (their translations land in the originals)."""
            return Document("pool", group[0].format, [part for d in group for part in d.parts])

        def pooled() -> None:
            """The former grouping: consecutive articles as one document until chunk_size segments."""
            group: list[Document] = []
            for document in documents():
                group.append(document)
                if sum(1 for d in group for _ in d.segments()) >= engine.chunk_size:
                    translate_documents([pool(group)], engine)
                    group = []
            if group:
                translate_documents([pool(group)], engine)

        own, former = "each on its own (translate run)", "pooled (before 19.4)"
        times: dict[str, list[float]] = {own: [], former: []}
        for _ in range(args.repeats):
            for name, job in ((own, one_by_one), (former, pooled)):
                start = time.perf_counter()
                job()
                times[name].append(time.perf_counter() - start)
    print(f"{len(files)} NTREX-128 articles, {segments} segments, ct2 int8, beam 4, fixed length "
          f"{args.length - 1} + EOS, best of {args.repeats} (round robin); {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    base = min(times[former])
    for name, values in times.items():
        print(f"{name:<34}{min(values):>8.2f} s{base / min(values):>8.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
