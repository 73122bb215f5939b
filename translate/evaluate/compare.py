"""``translate compare``: systems' files or folders against the same references, in paired tests.

Paired tests resample the *same* items for every system, so every system must
cover the same documents as the baseline, paired by name as in ``translate
score``; every problem is reported in one error that names the file.  Each
document is read at one level for all systems (:func:`choose_level` over every
system's file and the references).  At the line level the items are lines —
exactly sacrebleu's ``--paired-bs`` / ``--paired-ar`` input.  At the unit level
each system's sentences are realigned to the reference on their own, so its
segments differ from system to system; the items are then the units (each
unit's segment statistics summed), which every system shares.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ScoreError, TranslateError
from .inputs import FilePair, LevelChoice, choose_level, pair_inputs
from .limits import check_total_size
from .metrics import MetricSet, SegmentStats, extract_stats, metric_set
from .scoring import check_bootstrap, load_pair, pair_files, report_problems, segment_rows
from .significance import DEFAULT_BOOTSTRAP, DEFAULT_TRIALS, Comparison, compare_stats


def system_name(path: str | Path, taken: set[str]) -> str:
    """A short, unique name for a system: its file or folder name."""
    resolved = Path(path).resolve()
    base = Path(path).name or resolved.name
    name = base
    parent = resolved.parent
    while name in taken and parent != parent.parent:
        name = f"{parent.name}/{name}"
        parent = parent.parent
    return name


def _system_pairs(systems: list[str | Path], references: list[str | Path],
                  level: str) -> tuple[list[str], list[dict[str, FilePair]]]:
    """Each system's pairs by document key, in the baseline's document order; problems name the files."""
    baseline = pair_inputs(systems[0], list(references), level=level)
    keys = [p.key for p in baseline]
    result: list[dict[str, FilePair]] = []
    problems: list[TranslateError] = []
    for system in systems:
        try:
            pairs = {p.key: p for p in pair_inputs(system, list(references), level=level)}
        except TranslateError as error:
            problems.append(error)
            continue
        if len(pairs) == 1 and len(keys) == 1:  # single files: named differently, paired by position
            only = next(iter(pairs.values()))
            pairs = {keys[0]: FilePair(keys[0], only.hypothesis, only.references, only.source)}
        if set(pairs) != set(keys):
            problems.append(ScoreError(f"{system} has documents {sorted(set(pairs) ^ set(keys))} that the "
                                       f"baseline {systems[0]} does not share"))
            continue
        result.append(pairs)
    report_problems(problems, len(systems), "systems")
    return keys, result


def _unit_stats(metrics: MetricSet, pairs: list[FilePair], levels: dict[str, LevelChoice], fmt: str,
                ) -> tuple[SegmentStats, list[str], set[str], list[str]]:
    """One system's statistics per unit (lines at the line level), its unit texts and names, its problems."""
    rows, groups, texts, names, problems = [], [], [], set(), []
    items = 0
    for pair in pairs:
        try:
            item = load_pair(pair, levels[pair.key], fmt)
            doc_rows, _ = segment_rows(item)
        except TranslateError as error:
            problems.append(str(error))
            continue
        groups += [items + row.item for row in doc_rows]
        items += item.items
        texts += item.hypothesis.units
        names.add(item.hypothesis.level)
        rows += doc_rows
    if problems:
        return SegmentStats({}), [], names, problems
    n_refs = len(pairs[0].references)
    stats, _ = extract_stats(metrics, [r.hypothesis for r in rows],
                             [[r.references[k] for r in rows] for k in range(n_refs)])
    if groups == list(range(items)):  # one segment per unit (lines): nothing to sum
        return stats, texts, names, []
    return stats.grouped(np.array(groups, dtype=np.int64), items), texts, names, []


def compare_files(systems: list[str | Path], references: list[str | Path], level: str = "auto",
                  fmt: str = "auto", n_bootstrap: int = DEFAULT_BOOTSTRAP,
                  n_trials: int = DEFAULT_TRIALS) -> Comparison:
    """Load every system and reference, check they line up, and run the paired tests."""
    if len(systems) < 2:
        raise ScoreError("compare needs a BASELINE and at least one SYSTEM")
    check_bootstrap(n_bootstrap)
    if n_trials < 0 or (n_bootstrap == 0 and n_trials == 0):
        raise ScoreError(f"--trials {n_trials}: give 0 to leave approximate randomization out, or a positive "
                         "number of trials; --bootstrap 0 and --trials 0 together leave no test")
    keys, by_system = _system_pairs(systems, references, level)
    check_total_size(p for pairs in by_system for pair in pairs.values() for p in pair_files(pair))
    levels = {}
    for key in keys:
        files = list(dict.fromkeys(p for pairs in by_system for p in pair_files(pairs[key])))
        levels[key] = choose_level(files, level, fmt)
    metrics = metric_set()
    named: list[tuple[str, SegmentStats]] = []
    texts: list[list[str]] = []
    problems: list[str] = []
    taken: set[str] = set()
    unit_names: set[str] = set()
    for system, pairs in zip(systems, by_system, strict=True):
        name = system_name(system, taken)
        taken.add(name)
        stats, units, names, errors = _unit_stats(metrics, [pairs[k] for k in keys], levels, fmt)
        problems += errors
        named.append((name, stats))
        texts.append(units)
        unit_names |= names
    if problems:
        raise ScoreError(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
    if not len(named[0][1]):
        raise ScoreError("nothing to compare: the references are empty")
    identical = [units == texts[0] for units in texts]
    comparison = compare_stats(metrics, named, identical, n_bootstrap, n_trials)
    comparison.documents = len(keys)
    comparison.unit_name = unit_names.pop() if len(unit_names) == 1 else "unit"
    comparison.level_notes = sorted({c.reason for c in levels.values()})
    return comparison


def compare_systems(named: list[tuple[str, list[str]]], references: list[list[str]],
                    n_bootstrap: int = DEFAULT_BOOTSTRAP, n_trials: int = DEFAULT_TRIALS) -> Comparison:
    """Paired tests of systems' segment lists (the first is the baseline) against reference streams."""
    check_bootstrap(n_bootstrap)
    metrics = metric_set()
    stats = [(name, extract_stats(metrics, hyps, references)[0]) for name, hyps in named]
    identical = [list(hyps) == list(named[0][1]) for _, hyps in named]
    return compare_stats(metrics, stats, identical, n_bootstrap, n_trials)
