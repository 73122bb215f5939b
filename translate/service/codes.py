"""Checking a post-editor's target before it is saved, with the checks every merged target gets.

A person's target comes back from the browser (or a CMS, or an XLIFF file) as
coded text.  The writers trust that a target holds exactly the source's code
characters and that the spans of a block nest once all its targets are in:
:mod:`translate.targets` checks both whenever targets are merged into a
document (:func:`~translate.targets.code_problems`,
:func:`~translate.targets.nesting_problem`, used by ``apply_targets`` when the
service writes a document), and an edit is checked with the same functions
when it is saved, so a saved target can always be written.  The block's
nesting is checked against the other segments' current targets inside the
save's transaction (:func:`nesting_check`).  Added here, for a person's text
only: an empty target, control characters, a line break where the source has none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping

from ..document import Block, InlineCode
from ..targets import code_problems, nesting_problem

#: Checks the current targets of some segments (number -> target, None when not translated yet) before
#: edits are saved (:meth:`translate.service.store.Store.save_edits`): the problems, one line each.
BlockCheck = Callable[[Mapping[int, "str | None"]], list[str]]


def target_problems(source: str, target: str, codes: Mapping[str, InlineCode]) -> list[str]:
    """What is wrong with ``target`` for a segment with coded ``source``, on its own (empty: nothing)."""
    problems: list[str] = []
    if not target.strip() and source.strip():
        problems.append("the target is empty: write the translation (or copy the source)")
    for char in dict.fromkeys(target):
        if unicodedata.category(char) == "Cc" and char not in "\t\n":
            problems.append(f"control character U+{ord(char):04X} is not allowed")
    if "\n" in target and "\n" not in source:
        problems.append("a line break is not allowed in this segment (its source has none)")
    return problems + code_problems(source, target, codes)


def nesting_check(block: Block, first: int, edits: Mapping[int, str]) -> BlockCheck:
    """The check that ``edits`` (segment number -> target) keep ``block``'s spans nested.

    ``first`` is the number of the block's first segment.  The returned function
    takes the block's current targets (read in the save's transaction); segments
    without one count with their source, as the writer writes them.
    """

    def check(current: Mapping[int, str | None]) -> list[str]:
        joined = []
        for number, segment in enumerate(block.segments, start=first):
            text = edits[number] if number in edits else current.get(number)
            joined.append(segment.source if text is None else text)
        problem = nesting_problem(block, joined)
        return [] if problem is None else [problem[1]]

    return check


def checks_together(checks: Mapping[str, BlockCheck]) -> BlockCheck:
    """Several blocks' checks as one (for an import), each problem prefixed with its key (a unit id)."""

    def check(current: Mapping[int, str | None]) -> list[str]:
        return [f"{label}: {problem}" for label, one in checks.items() for problem in one(current)]

    return check
