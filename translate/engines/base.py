"""The engine protocol: what every translation engine offers the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class TokenAlignment:
    """Soft alignment between the tokens of a source and of its translation.

    ``weights[t][s]`` is how much target token ``t`` attends to source token
    ``s`` (a row sums to about 1).  Spans are character offsets into the plain
    source text and the returned target text; they let the pipeline carry
    inline codes to the target words that translate the words they wrapped.
    """

    source_spans: list[tuple[int, int]]
    target_spans: list[tuple[int, int]]
    weights: list[list[float]]


@dataclass
class Translation:
    text: str
    alignment: TokenAlignment | None = None
    tokens: list[str] = field(default_factory=list)  # target pieces, for audits


@dataclass(frozen=True)
class TermConstraint:
    """A target term that must appear in the translation: any one of ``forms``.

    Two occurrences of a term in the source are two constraints, so the term
    must appear twice.
    """

    forms: tuple[str, ...]
    source: str = ""  # the source term, for messages and audits


class Engine(Protocol):
    #: registry name ("marian", "copy", ...)
    name: str
    #: True when the engine takes coded text and returns it with every code
    #: character in place (copy, pseudo).  Model engines get plain text and
    #: an alignment instead.
    keeps_codes: bool

    def signature(self) -> str:
        """Everything that changes the output: engine, model id/revision, beam..."""

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None) -> list[Translation]:
        """Translate a batch; ``align[i]`` asks for an alignment of text ``i``.

        ``constraints[i]`` lists the terms translation ``i`` must contain.  An
        engine that cannot honour them (copy, pseudo) ignores them; the audit
        then shows them as missing.
        """
