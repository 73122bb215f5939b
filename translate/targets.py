"""Set targets written elsewhere (a translator's XLIFF or PO) on a freshly read document.

:func:`apply_targets` is the one way edited translations get into a document: it
checks every target before setting any (every code of the segment's source once,
no code from elsewhere, and the block's codes properly nested once all its
targets are in, the check :func:`tests.format_suite.assert_coded_well_formed`
makes of engine output), so a bad edit is reported, with every problem, and
never half applied.  A code may move within its segment; a span crossing a
sentence boundary (its open code in one segment, its close in the next) must
still nest with the spans around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .document import Block, CodeKind, Document, InlineCode, SegmentState, is_code_char
from .errors import MergeError


@dataclass(frozen=True)
class TargetProblem:
    segment: str  # segment id
    message: str

    def __str__(self) -> str:
        return f"segment {self.segment}: {self.message}"


class TargetError(MergeError):
    """Targets that cannot be applied; ``problems`` lists every one."""

    def __init__(self, problems: list[TargetProblem], path: str | None = None) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the targets; nothing was applied", path=path)


def describe(char: str, codes: Mapping[str, InlineCode]) -> str:
    """A code as a person knows it: its markup (``'**'``, ``'<a href=...>'``)."""
    code = codes.get(char)
    return repr(code.data) if code is not None else f"U+{ord(char):04X}"


def code_problems(source: str, target: str, codes: Mapping[str, InlineCode]) -> list[str]:
    """Codes of ``source`` missing or repeated in ``target``, and codes ``target`` has from elsewhere."""
    problems: list[str] = []
    wanted = [c for c in source if is_code_char(c)]
    found = [c for c in target if is_code_char(c)]
    for char in dict.fromkeys(wanted):
        count = found.count(char)
        if count != wanted.count(char):
            problems.append(
                f"code {describe(char, codes)} appears {count} time(s), expected {wanted.count(char)}"
            )
    for char in dict.fromkeys(found):
        if char not in wanted:
            problems.append(f"code {describe(char, codes)} is not in this segment's source")
    return problems


def nesting_problem(block: Block, targets: list[str]) -> tuple[int, str] | None:
    """The first segment (index) where the block's joined targets stop nesting, and why; None if they nest."""
    stack: list[str] = []
    for index, target in enumerate(targets):
        for char in target:
            code = block.codes.get(char)
            if code is None or code.pair is None:
                continue
            if code.kind is CodeKind.OPEN:
                stack.append(char)
            elif code.kind is CodeKind.CLOSE:
                if not stack or stack[-1] != code.pair:
                    where = f"inside {describe(stack[-1], block.codes)}" if stack else "before its open code"
                    return index, f"code {describe(char, block.codes)} closes {where}: spans must nest"
                stack.pop()
    if stack:
        return len(targets) - 1, f"code {describe(stack[-1], block.codes)} is never closed"
    return None


def apply_targets(document: Document, targets: Mapping[str, str]) -> Document:
    """Set ``targets`` (segment id -> coded target, the document's own code characters).

    Segments not named keep their target.  Raises :class:`TargetError` listing every
    problem (unknown segment ids, codes lost, repeated or foreign, spans that no
    longer nest); then nothing is set.
    """
    problems: list[TargetProblem] = []
    by_id = {str(s.id): (s, b) for b in document.blocks for s in b.segments}
    for segment_id in targets:
        if segment_id not in by_id:
            problems.append(TargetProblem(segment_id, "no such segment in the document"))
    for block in document.blocks:
        joined: list[str] = []
        for segment in block.segments:
            target = targets.get(str(segment.id))
            if target is None:
                joined.append(segment.target if segment.target is not None else segment.source)
                continue
            problems += [
                TargetProblem(str(segment.id), m) for m in code_problems(segment.source, target, block.codes)
            ]
            joined.append(target)
        nesting = nesting_problem(block, joined)
        if nesting is not None:
            problems.append(TargetProblem(str(block.segments[nesting[0]].id), nesting[1]))
    if problems:
        raise TargetError(problems, path=document.name)
    for segment_id, target in targets.items():
        segment = by_id[segment_id][0]
        segment.target, segment.state = target, SegmentState.TRANSLATED
    return document


__all__ = ["TargetError", "TargetProblem", "apply_targets", "code_problems", "nesting_problem"]
