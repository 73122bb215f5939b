"""Format fidelity: did the translation keep the source document's markup and structure?

BLEU and chrF see text only (markup is stripped before scoring), so a system
that drops a link or flattens a list loses nothing there.  This check compares
the source and the hypothesis *documents*, both read by the same format reader:

* **inline codes**, block by block: the multiset of (kind, name, markup) of
  the codes in a block — bold, links with their URL, inline code, URLs in
  plain text — must be the same in the hypothesis block (escapes and entities,
  ``\\*`` and ``&amp;``, are how a character is written, not markup: a writer
  escapes what the translation needs, so they are not compared);
* **tree shape**: the sequence of block kinds (heading, paragraph, list item,
  table cell...) must be equal; for plain text, whose block kinds depend on
  punctuation a translation may change, the paragraph count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..document import Block, Document
from .units import unit_groups

MAX_PROBLEMS = 20
#: Codes that spell a character rather than mark text up.
CHARACTER_CODES = frozenset({"escape", "entity"})


@dataclass
class FidelityReport:
    """Blocks whose inline codes were preserved, and whether the document's shape is the same."""

    document: str
    blocks: int
    preserved: int
    shape_equal: bool
    shape: str  # what "shape" meant for this format
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Preserved blocks in percent (100 for a document without blocks)."""
        return 100.0 * self.preserved / self.blocks if self.blocks else 100.0

    def as_dict(self) -> dict:
        return {"document": self.document, "blocks": self.blocks, "preserved": self.preserved,
                "codes_preserved": round(self.rate, 2), "shape_equal": self.shape_equal,
                "shape": self.shape, "problems": self.problems}


def code_signature(blocks: list[Block]) -> Counter:
    """The inline codes used in ``blocks``' text, as (kind, name, markup) with counts."""
    found: Counter = Counter()
    for block in blocks:
        for char in block.source:
            code = block.codes.get(char)
            if code is not None and code.name not in CHARACTER_CODES:
                found[(code.kind.value, code.name, code.data)] += 1
    return found


def _describe(difference: Counter) -> str:
    """``2× link '](https://…)'``: markup longer than a URL-ish snippet (DOCX run XML) is cut short."""
    def shown(data: str) -> str:
        return repr(data if len(data) <= 40 else data[:37] + "...")

    items = sorted(difference.items())
    return ", ".join(f"{n}× {name or kind} {shown(data)}" for (kind, name, data), n in items)


def format_fidelity(source: Document, hypothesis: Document) -> FidelityReport:
    """Compare a source document with its translation (see the module docstring)."""
    if source.format == "text":
        src_units, hyp_units = unit_groups(source), unit_groups(hypothesis)
        shape = "paragraph count"
        shape_equal = len(src_units) == len(hyp_units)
    else:
        src_units = [[b] for b in source.blocks]
        hyp_units = [[b] for b in hypothesis.blocks]
        shape = "block kinds in order"
        shape_equal = [b.kind for b in source.blocks] == [b.kind for b in hypothesis.blocks]
    problems: list[str] = []
    if len(src_units) != len(hyp_units):
        problems.append(f"source has {len(src_units)} units, hypothesis {len(hyp_units)}")
    elif not shape_equal:
        first = next(i for i, (a, b) in enumerate(zip(source.blocks, hypothesis.blocks, strict=True))
                     if a.kind != b.kind)
        problems.append(f"block {first}: {source.blocks[first].kind} became {hypothesis.blocks[first].kind}")
    preserved = 0
    for index, (src, hyp) in enumerate(zip(src_units, hyp_units, strict=False)):
        want, got = code_signature(src), code_signature(hyp)
        if want == got:
            preserved += 1
        elif len(problems) < MAX_PROBLEMS:
            lost, added = want - got, got - want
            detail = "; ".join(x for x in (f"lost {_describe(lost)}" if lost else "",
                                           f"added {_describe(added)}" if added else "") if x)
            problems.append(f"unit {index}: {detail}")
    return FidelityReport(hypothesis.name, max(len(src_units), len(hyp_units)), preserved, shape_equal, shape,
                          problems)
