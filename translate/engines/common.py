"""What the two model engines (marian, ct2) do alike, written once.

Checking options and inputs, truncating an over-long text with a warning,
turning glossary forms into target tokens (and warning once about a term the
vocabulary cannot write), renormalising attention rows over the source
pieces and finding each piece's characters in the text (alignment spans).
Free of torch, so the ct2 engine can use it without loading PyTorch.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from ..errors import ModelError
from .base import TermConstraint
from .phrases import phrase_tokens
from .spm_tokenizer import SPIECE_UNDERLINE

log = logging.getLogger(__name__)
T = TypeVar("T")


def check_at_least_one(engine: str, **options: int | None) -> None:
    """Sizes and counts (beam, batch_size...) must be at least 1; None stands for the default."""
    for option, value in options.items():
        if value is not None and int(value) < 1:
            raise ModelError(f"{engine} engine: {option} must be at least 1, got {value}")


def align_and_terms(texts: list[str], align: list[bool] | None,
             constraints: list[list[TermConstraint]] | None) -> tuple[list[bool], list[list[TermConstraint]]]:
    """``align`` and ``constraints`` of a translate call, one per text (absent: none)."""
    wanted = [bool(a) for a in align] if align is not None else [False] * len(texts)
    terms = list(constraints) if constraints is not None else [[] for _ in texts]
    if len(wanted) != len(texts) or len(terms) != len(texts):
        raise ValueError(f"align/constraints do not match the {len(texts)} texts")
    return wanted, terms


def truncate(pieces: list[str], max_input: int, index: int, model: str) -> list[str]:
    """The pieces the model can read with ``</s>`` after them; a warning names a text that was cut.

    Splitting is the segmenter's job; failing the whole document for one
    run-on sentence would be worse than translating its first 511 tokens visibly.
    """
    limit = max_input - 1  # room for </s>
    if len(pieces) <= limit:
        return pieces
    log.warning("text %d has %d tokens but model %s reads at most %d: translating the first %d "
                "only; split it into shorter sentences", index, len(pieces) + 1, model, max_input, limit)
    return pieces[:limit]


def renormalise(row: Sequence[float]) -> list[float]:
    """An attention row over the source pieces only (``</s>`` and padding dropped), summing to 1."""
    values = [float(w) for w in row]
    total = sum(values)
    return [w / total for w in values] if total > 0 else [1.0 / len(values)] * len(values)


class TermForms(Generic[T]):
    """Glossary forms as target tokens, each tokenised once per engine.

    ``convert`` turns token ids into what the engine's decoder takes (ids for
    marian, pieces for ct2).  A term none of whose forms the target vocabulary
    can write is logged once and not enforced (the terms report shows it missing).
    """

    def __init__(self, tokenizer: Any, model: str, convert: Callable[[list[int]], T]) -> None:
        self.tokenizer = tokenizer
        self.model = model
        self.convert = convert
        self._forms: dict[str, tuple[T | None, T | None]] = {}
        self._unwritable: set[str] = set()

    def form(self, text: str) -> tuple[T | None, T | None]:
        """One form as written and with a capital first letter (None: cannot be written / no change)."""
        if text not in self._forms:
            given, capital = phrase_tokens(self.tokenizer, text)
            self._forms[text] = (None if given is None else self.convert(given),
                                 None if capital is None else self.convert(capital))
        return self._forms[text]

    def alternatives(self, term: TermConstraint) -> tuple[list[T], list[T]] | None:
        """Every form as written (allowed anywhere) and capitalised (start of the output only).

        None when no form can be written, after a warning the first time.
        """
        tokens = [self.form(text) for text in term.forms]
        anywhere = [given for given, _ in tokens if given is not None]
        if not anywhere:
            if term.source not in self._unwritable:
                self._unwritable.add(term.source)
                log.warning("glossary term %r: no target form (%s) can be written with the vocabulary of "
                            "model %s; it is not enforced (the terms report shows it missing)",
                            term.source, " | ".join(term.forms), self.model)
            return None
        return anywhere, [capital for _, capital in tokens if capital is not None]


def piece_spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Character span of each SentencePiece piece in ``text``, found by walking it.

    ``\u2581`` marks a preceding space.  SentencePiece normalises (NFKC, whitespace
    runs), so the walk compares against an NFKC view of ``text`` that remembers
    which original character each normalised one came from, and skips
    whitespace between pieces.  A piece that cannot be matched (``<unk>``, a byte piece)
    gets an empty span at the current position instead of derailing the rest.
    """
    norm: list[str] = []
    owner: list[int] = []
    for index, char in enumerate(text):
        for normal in unicodedata.normalize("NFKC", char):
            norm.append(normal)
            owner.append(index)
    flat = "".join(norm)
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in pieces:
        surface = "".join(piece.replace(SPIECE_UNDERLINE, " ").split())
        start = pos
        while start < len(flat) and flat[start].isspace():
            start += 1
        here = owner[start] if start < len(owner) else len(text)
        if surface and flat.startswith(surface, start):
            end = start + len(surface)
            spans.append((owner[start], owner[end - 1] + 1))
            pos = end
        else:
            spans.append((here, here))
    return spans
