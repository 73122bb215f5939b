"""Checking a post-editor's target: every inline code of the source present once, and nested.

A person's target comes back from the browser (or a CMS) as coded text.  The
writers trust that a target holds exactly the source's code characters, each
CLOSE after its OPEN and spans nested as a tree, as the engines' placement
guarantees; this check makes an edit give the same guarantee, or says in one
line per problem what to fix (the API's 422).  Codes whose partner is in
another segment (a link spanning two sentences) must stay outside the
segment's own spans, as :mod:`translate.nesting` keeps them for machine output.
Written by hand: it is a stack walk over a few characters, no library does it
for our code model.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from ..document import is_code_char


def _label(codes: Mapping[str, Mapping[str, Any]], char: str) -> str:
    info = codes.get(char)
    return str(info["label"]) if info else f"U+{ord(char):04X}"


def target_problems(source: str, target: str, codes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What is wrong with ``target`` for a segment with coded ``source`` (empty: nothing).

    ``codes`` maps each code character of the segment to its ``kind``
    (open/close/isolated), ``pair`` and ``label`` (as :class:`~translate.service.work.SegmentInfo`
    stores them).
    """
    problems: list[str] = []
    if not target.strip() and source.strip():
        problems.append("the target is empty: write the translation (or copy the source)")
    wanted = [c for c in source if is_code_char(c)]
    present = set(wanted)
    for char in dict.fromkeys(c for c in target if is_code_char(c) and c not in present):
        problems.append(f"unknown inline code U+{ord(char):04X}: only the segment's own tags may be used")
    for char in wanted:
        count = target.count(char)
        if count != 1:
            problems.append(f"tag {_label(codes, char)} must appear once, found {count} time(s)")
    for char in dict.fromkeys(target):
        if unicodedata.category(char) == "Cc" and char not in "\t\n":
            problems.append(f"control character U+{ord(char):04X} is not allowed")
    if "\n" in target and "\n" not in source:
        problems.append("a line break is not allowed in this segment (its source has none)")
    if not problems:
        problems += _nesting_problems(target, present, codes)
    return problems


def _nesting_problems(target: str, present: set[str], codes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Spans opened and closed in the segment nest; dangling codes stand outside all of them."""
    stack: list[str] = []
    for char in target:
        info = codes.get(char)
        if info is None or info["kind"] == "isolated":
            continue
        paired_here = info.get("pair") in present
        if not paired_here:
            if stack:
                return [f"tag {_label(codes, char)} continues in another sentence, so it must stand "
                        f"outside {_label(codes, stack[-1])}...{_label(codes, info_pair(codes, stack[-1]))}"]
            continue
        if info["kind"] == "open":
            stack.append(char)
        elif not stack or stack[-1] != info["pair"]:
            if info["pair"] not in stack:
                return [f"tag {_label(codes, char)} comes before {_label(codes, info['pair'])}"]
            return [f"tags {_label(codes, stack[-1])} and {_label(codes, info['pair'])} cross: "
                    f"close {_label(codes, info_pair(codes, stack[-1]))} first"]
        else:
            stack.pop()
    return []


def info_pair(codes: Mapping[str, Mapping[str, Any]], char: str) -> str:
    """The partner of a paired code (the char itself when it has none)."""
    info = codes.get(char) or {}
    return str(info.get("pair") or char)
