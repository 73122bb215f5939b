"""``translate compare``: systems' files or folders against the same references, in paired tests.

Paired tests resample the *same* units for every system, so every system must
cover the same documents with the same unit counts as the references; files
are paired by name as in ``translate score`` and every problem is reported in
one error.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ScoreError, TranslateError
from .inputs import check_counts, load_units, pair_inputs
from .significance import DEFAULT_BOOTSTRAP, DEFAULT_TRIALS, Comparison, compare_systems


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


def compare_files(systems: list[str | Path], references: list[str | Path], level: str = "unit",
                  fmt: str = "auto", n_bootstrap: int = DEFAULT_BOOTSTRAP,
                  n_trials: int = DEFAULT_TRIALS) -> Comparison:
    """Load every system and reference, check they line up, and run :func:`compare_systems`."""
    if len(systems) < 2:
        raise ScoreError("compare needs a BASELINE and at least one SYSTEM")
    baseline_pairs = pair_inputs(systems[0], list(references), level=level)
    keys = [p.key for p in baseline_pairs]
    ref_units = [load_units(r, level, fmt) for p in baseline_pairs for r in p.references]
    n_refs = len(references)
    named: list[tuple[str, list[str]]] = []
    problems: list[str] = []
    taken: set[str] = set()
    for system in systems:
        name = system_name(system, taken)
        taken.add(name)
        try:
            pairs = {p.key: p for p in pair_inputs(system, list(references), level=level)}
        except TranslateError as error:
            problems.append(error.message)
            continue
        if len(pairs) == 1 and len(keys) == 1:  # single files: named differently, paired by position
            pairs = {keys[0]: next(iter(pairs.values()))}
        if set(pairs) != set(keys):
            problems.append(f"{system} has documents {sorted(set(pairs) ^ set(keys))} that the baseline "
                            f"{systems[0]} does not share")
            continue
        units: list[str] = []
        for index, key in enumerate(keys):
            try:
                hyp = load_units(pairs[key].hypothesis, level, fmt)
                for ref in ref_units[index * n_refs:(index + 1) * n_refs]:
                    check_counts(hyp, ref)
            except TranslateError as error:
                problems.append(error.message)
                continue
            units += hyp.units
        named.append((name, units))
    if problems:
        raise ScoreError(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
    streams = [[u for i in range(len(keys)) for u in ref_units[i * n_refs + k].units] for k in range(n_refs)]
    if not streams[0]:
        raise ScoreError("nothing to compare: the references are empty")
    comparison = compare_systems(named, streams, n_bootstrap, n_trials)
    comparison.documents = len(keys)
    return comparison
