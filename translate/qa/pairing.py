"""Documents to :class:`~translate.qa.model.QAUnit` s: a run's output, or a source file and its translation.

A run's document holds each segment's source and target side by side, so every
translated segment is a unit.  Two files (raw MT, or a post-edited file) are
read with the same format reader and paired:

* **blocks** in order.  When the two files have as many blocks, block *i* pairs
  with block *i*; otherwise the blocks are aligned by length (Gale and Church's
  dynamic programming, :func:`translate.evaluate.align.align_lengths`, with the
  source lengths scaled by the id→en length ratio), so a paragraph a
  translator split in two pairs with its source as one unit, a source block
  with no translation becomes a unit with an empty target, and a target block
  with no source a unit with an empty source.
* **segments** within a pair of single blocks when both were split into as
  many sentences; otherwise the whole block is one unit (``level="block"``):
  pairing sentences by position when the counts differ would compare unrelated
  sentences from the first merge or split on, and every later check would be
  noise.

Unit ids are the source's segment ids (``doc#3.1``), ``doc#3`` for a block,
``doc#3+4`` for source blocks 3 and 4 taken together and ``doc#t5`` for target
block 5 with no source; :func:`translate.qa.runner.findings_by_segment` groups
findings under these ids (an XLIFF ``<segment>`` or ``<unit>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..document import CODE_CAPACITY, Block, Document, InlineCode, code_char
from ..localize import Protection
from .checks.length import RATIO
from .model import QAUnit


def document_units(document: Document, protections: Sequence[Protection] = (),
                   scores: Mapping[str, float] | None = None) -> list[QAUnit]:
    """The translated segments of a run's document (``protections``: its localized quantities).

    Each unit carries its segment's engine score (``scores``, by segment id, replaces
    them when given) and truncation flag.
    """
    by_segment: dict[str, list[Protection]] = {}
    for protection in protections:
        by_segment.setdefault(protection.segment, []).append(protection)
    units = []
    for block in document.blocks:
        for segment in block.segments:
            if segment.target is None:
                continue
            seg_id = str(segment.id)
            units.append(QAUnit(seg_id, segment.source, segment.target, block.codes,
                                protections=tuple(by_segment.get(seg_id, ())),
                                score=scores.get(seg_id) if scores else segment.score,
                                truncated=segment.truncated))
    return units


def pair_documents(source: Document, target: Document) -> list[QAUnit]:
    """Units of a source document and its translation read from files (see the module docstring)."""
    from ..evaluate.align import align_lengths

    sources, targets = source.blocks, target.blocks
    beads: list[tuple[tuple[int, ...], tuple[int, ...]]]
    if len(sources) == len(targets):
        beads = [((i,), (i,)) for i in range(len(sources))]
    else:
        aligned = align_lengths([_length(b) for b in targets], [round(_length(b) * RATIO) for b in sources])
        beads = [(bead.ref, bead.hyp) for bead in aligned]
    units: list[QAUnit] = []
    for source_indices, target_indices in beads:
        src = [sources[i] for i in source_indices]
        tgt = [targets[j] for j in target_indices]
        if len(src) == 1 and len(tgt) == 1 and len(src[0].segments) == len(tgt[0].segments):
            for s, t in zip(src[0].segments, tgt[0].segments, strict=True):
                units.append(QAUnit(str(s.id), s.source, t.source, src[0].codes, tgt[0].codes))
            continue
        if src:
            unit_id = f"{source.name}#" + "+".join(str(b.index) for b in src)
        else:
            unit_id = f"{source.name}#t{tgt[0].index}"
        source_text, source_codes = _merge(src)
        target_text, target_codes = _merge(tgt)
        units.append(QAUnit(unit_id, source_text, target_text, source_codes, target_codes, level="block"))
    return units


def _length(block: Block) -> int:
    return len(" ".join(block.source.split()))


def _merge(blocks: list[Block]) -> tuple[str, dict[str, InlineCode]]:
    """The coded text of consecutive blocks as one, their codes renumbered so they cannot collide."""
    if len(blocks) == 1:
        return blocks[0].source.strip(), dict(blocks[0].codes)
    texts: list[str] = []
    codes: dict[str, InlineCode] = {}
    for block in blocks:
        first = len(codes)
        if first + len(block.codes) > CODE_CAPACITY:
            break  # CODE_CAPACITY codes in one unit: the rest of the text is left out rather than mislabelled
        mapping: dict[str, str] = {char: code_char(first + n) for n, char in enumerate(block.codes)}
        for char, code in block.codes.items():
            codes[mapping[char]] = replace(code, char=mapping[char], pair=mapping.get(code.pair or ""))
        texts.append(block.source.strip().translate({ord(old): new for old, new in mapping.items()}))
    return "\n".join(texts), codes
