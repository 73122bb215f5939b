"""Calibrate and measure the QA checks on professional Indonesian→English news translation.

Reads the 3,009 line-aligned pairs of NTREX-128 (1,997) and FLORES-200 devtest
(1,012) in ``../shared/eval-data/`` and prints:

1. **the length range** of :mod:`translate.qa.checks.length`: English characters
   per Indonesian character over all pairs (``RATIO``); the variance of the
   length difference ``T - RATIO*L`` fitted as ``A*L + B*L²`` by least squares on
   the squared residuals; the 0.1% and 99.9% quantiles of the standardised
   residual (``Z_LOW``, ``Z_HIGH``); the accepted ratio at a few lengths; and
   whether the constants in the code match;
2. **the untranslated rule**: share of Indonesian sentences it flags when they
   stand as the "translation" (recall on untranslated output) and share of the
   English references it flags (false alarms), beside py3langid restricted to
   en/id when it is installed (``pip install py3langid``), and both on a few
   English segments made of Indonesian names;
3. **false alarms of every check**: each pair checked as one unit (with the
   glossaries of ``glossaries/``), findings counted per check; a finding on a
   human translation is a false alarm or a slip of the reference (NTREX has
   some: "happen early happen early"), up to ``--show N`` of them printed per check.

    .venv/bin/python benchmarks/qa_calibration.py [--data DIR] [--show N]

The data is not part of the repository: without it the script says so and exits 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

from translate.qa import QAUnit, run_checks, select_checks
from translate.qa.checks import length
from translate.qa.checks.untranslated import MIN_SHARE, MIN_WORDS, listed_words

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-data"
FILES = [("ntrex128/ntrex128.ind.txt", "ntrex128/ntrex128.eng.txt"),
         ("flores200/devtest.ind.txt", "flores200/devtest.eng.txt")]
QUANTILE = 0.001
#: English news text made of Indonesian names, as in our corpora: should not count as Indonesian.
NAME_SEGMENTS = ["Hendra Wijanarko", "Site icon Kabarpesisir.co", "Pondok Gede Permai housing estate",
                 "Bekasi Mayor Rahmat Saputra", "Sri Wahyuni, Bora village", "Kali Bekasi"]


def load_pairs(data: Path) -> list[tuple[str, str]]:
    pairs = []
    for source, target in FILES:
        ind = (data / source).read_text(encoding="utf-8").splitlines()
        eng = (data / target).read_text(encoding="utf-8").splitlines()
        pairs += [(s.strip(), t.strip()) for s, t in zip(ind, eng, strict=True) if s.strip()]
    return pairs


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def derive_length(pairs: list[tuple[str, str]]) -> None:
    lengths = [(length.text_length(s), length.text_length(t)) for s, t in pairs]
    ratio = sum(t for _, t in lengths) / sum(s for s, _ in lengths)
    # least squares of r² = A*L + B*L² (normal equations of the two-parameter fit)
    rows = [(s, s * s, (t - ratio * s) ** 2) for s, t in lengths]
    s11 = sum(a * a for a, _, _ in rows)
    s12 = sum(a * b for a, b, _ in rows)
    s22 = sum(b * b for _, b, _ in rows)
    y1 = sum(a * r for a, _, r in rows)
    y2 = sum(b * r for _, b, r in rows)
    det = s11 * s22 - s12 * s12
    a, b = (y1 * s22 - y2 * s12) / det, (s11 * y2 - s12 * y1) / det
    z = [(t - ratio * s) / math.sqrt(a * s + b * s * s) for s, t in lengths]
    low, high = _quantile(z, QUANTILE), _quantile(z, 1 - QUANTILE)
    print(f"1. Length ratio from {len(pairs)} pairs (characters, whitespace runs as one):")
    print(f"   RATIO = {ratio:.4f}   A = {a:.4g}   B = {b:.4g}   Z_LOW = {low:.3f}   Z_HIGH = {high:.3f}"
          f"   ({QUANTILE:.1%} and {1 - QUANTILE:.1%} quantiles)")
    code = (length.RATIO, length.A, length.B, length.Z_LOW, length.Z_HIGH)
    derived = (ratio, a, b, low, high)
    same = all(abs(c - d) <= 0.0015 * max(1.0, abs(d)) for c, d in zip(code, derived, strict=True))
    print(f"   in translate/qa/checks/length.py: RATIO={code[0]} A={code[1]} B={code[2]} Z_LOW={code[3]} "
          f"Z_HIGH={code[4]} -> {'match' if same else 'DIFFER: update the constants'}")
    for n in (20, 40, 80, 160, 320, 640):
        lo, hi = length.ratio_range(n)
        print(f"   source of {n:3} characters: accepted ratio {lo:.2f}-{hi:.2f}")
    outside = sum(1 for s, t in lengths if s >= length.MIN_SOURCE
                  and not length.ratio_range(s)[0] <= t / s <= length.ratio_range(s)[1])
    print(f"   human pairs outside the range (code's constants): {outside} of {len(lengths)}")


def untranslated(pairs: list[tuple[str, str]]) -> None:
    def rule(text: str) -> bool:
        found, count = listed_words(text)
        return len(found) >= MIN_WORDS and len(found) >= MIN_SHARE * count

    print("\n2. Untranslated: share flagged as Indonesian")
    ind = [s for s, _ in pairs]
    eng = [t for _, t in pairs]
    print(f"   word list  : Indonesian sentences {sum(map(rule, ind)) / len(ind):.2%}, "
          f"English references {sum(map(rule, eng)) / len(eng):.2%}, "
          f"name segments {sum(map(rule, NAME_SEGMENTS))}/{len(NAME_SEGMENTS)}")
    try:
        import py3langid
    except ImportError:
        print("   py3langid  : not installed (pip install py3langid to compare)")
        return
    py3langid.set_languages(["en", "id"])

    def langid(text: str) -> bool:
        return py3langid.classify(text)[0] == "id"

    print(f"   py3langid  : Indonesian sentences {sum(map(langid, ind)) / len(ind):.2%}, "
          f"English references {sum(map(langid, eng)) / len(eng):.2%}, "
          f"name segments {sum(map(langid, NAME_SEGMENTS))}/{len(NAME_SEGMENTS)} "
          f"({', '.join(repr(n) for n in NAME_SEGMENTS if langid(n))})")


def false_alarms(pairs: list[tuple[str, str]], show: int) -> None:
    from translate.glossary import load_glossary

    glossary_dir = Path(__file__).resolve().parent.parent / "glossaries"
    glossary = load_glossary(glossary_dir) if glossary_dir.is_dir() else None
    units = [QAUnit(f"pair{n}", s, t) for n, (s, t) in enumerate(pairs)]
    issues = run_checks(units, select_checks(), glossary)
    counts = Counter(i.check for i in issues)
    flagged = len({i.segment for i in issues})
    print(f"\n3. Findings on {len(units)} human translations (false alarms, or slips of the reference), "
          f"{'with' if glossary else 'without'} the glossaries: {len(issues)} in {flagged} pairs")
    for check in sorted(select_checks(), key=lambda c: c.name):
        print(f"   {check.name:18} {counts.get(check.name, 0):5}")
        for issue in [i for i in issues if i.check == check.name][:show]:
            print(f"      {issue.segment}: {issue.message}")
            print(f"         src: {issue.source}\n         tgt: {issue.target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="eval-data folder (default: %(default)s)")
    parser.add_argument("--show", type=int, default=3, metavar="N", help="false alarms printed per check")
    args = parser.parse_args(argv)
    if not all((args.data / f).is_file() for pair in FILES for f in pair):
        print(f"no NTREX-128/FLORES-200 files under {args.data}: this benchmark needs ../shared/eval-data",
              file=sys.stderr)
        return 2
    pairs = load_pairs(args.data)
    derive_length(pairs)
    untranslated(pairs)
    false_alarms(pairs, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
