"""Random English-like lines and systems of known quality, for tests of metrics and significance."""

from __future__ import annotations

import random

WORDS = (
    "the president minister river village market price school bridge rain flood road city "
    "government residents officers visited opened arrived announced"
).split()


def corpus(n: int = 80, seed: int = 7, shortest: int = 8, longest: int = 14) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(shortest, longest))) + "."
            for _ in range(n)]


def corrupt(lines: list[str], rate: float, seed: int) -> list[str]:
    """Replace a share of the words: a system of known quality."""
    rng = random.Random(seed)
    return [
        " ".join(w if rng.random() > rate else rng.choice(WORDS) + "x" for w in line.split())
        for line in lines
    ]
