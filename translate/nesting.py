"""Keep spans that cross a sentence boundary properly nested in the target.

A link that spans two sentences (``<a>Satu. Dua</a>``) leaves its OPEN code in
one segment and its CLOSE in the next.  Each segment is translated alone, and
alignment places such a *dangling* code like an isolated one, so on its own it
could land inside a span that opens and closes in the same segment
(``<b>x <a>y</b>``), and the block would then cross (``<b><a></b></a>``).

Within a segment the source is well nested, so its dangling CLOSEs come first
(the spans were opened in earlier segments) and its dangling OPENs last, each
group in source order, all outside the segment's own pairs.  :func:`nest_dangling`
moves them, as little as possible, to where that holds in the target: a
dangling CLOSE moves right out of any enclosing pair, a dangling OPEN left, and
the source order is kept.  Then the whole block nests as its source did.
"""

from __future__ import annotations

from collections.abc import Sequence

from .document import CodeKind, InlineCode, is_code_char


def nest_dangling(target: str, source_codes: Sequence[str], code_info: dict[str, InlineCode]) -> str:
    """``target`` with its dangling codes moved to nesting depth 0 in source order.

    ``source_codes`` are the segment's code characters in source order;
    ``code_info`` describes them.  Codes whose partner is in the segment and
    isolated codes are never moved.
    """
    present = set(source_codes)
    dangling = [
        c for c in source_codes
        if c in code_info and code_info[c].kind is not CodeKind.ISOLATED and code_info[c].pair not in present
    ]
    if not dangling:
        return target
    moving = set(dangling)
    rest: list[str] = []
    wanted: dict[str, int] = {}
    for char in target:
        if char in moving:
            wanted[char] = len(rest)
        else:
            rest.append(char)
    depth = [0]
    for char in rest:
        info = code_info.get(char)
        step = 0
        if info is not None and info.pair in present and char in present:
            step = 1 if info.kind is CodeKind.OPEN else -1 if info.kind is CodeKind.CLOSE else 0
        depth.append(max(0, depth[-1] + step))
    closes = [c for c in dangling if code_info[c].kind is CodeKind.CLOSE and c in wanted]
    opens = [c for c in dangling if code_info[c].kind is CodeKind.OPEN and c in wanted]
    positions: dict[str, int] = {}
    floor = 0
    for char in closes:
        pos = max(wanted[char], floor)
        while pos < len(rest) and depth[pos] > 0:  # out of the enclosing pair, to the right
            pos += 1
        positions[char] = floor = pos
    for char in opens:
        pos = wanted[char]
        while pos > 0 and depth[pos] > 0:  # out of the enclosing pair, to the left
            pos -= 1
        positions[char] = floor = max(pos, floor)
    inserts: dict[int, list[str]] = {}
    for char in closes + opens:
        inserts.setdefault(positions[char], []).append(char)
    out: list[str] = []
    for index, char in enumerate(rest):
        out.extend(inserts.get(index, ()))
        out.append(char)
    out.extend(inserts.get(len(rest), ()))
    return "".join(out)


def keep_code_order(target: str, source: str) -> str:
    """``target`` with its codes moved, as little as possible, into their order in ``source``.

    For formats whose markup is a tree (HTML), two sibling spans that trade
    places, or an image that moves into a link, change the element tree.  The
    codes keep the positions alignment gave them where those are already in
    source order; where they are not, each run of codes out of order moves to
    the median of its positions (L1 isotonic regression, pool adjacent
    violators), so every code still sits at a point alignment chose for one of
    them and the code sequence, hence the tree, equals the source's.
    """
    order = [c for c in source if is_code_char(c)]
    rest: list[str] = []
    wanted: dict[str, int] = {}
    for char in target:
        if is_code_char(char):
            wanted[char] = len(rest)
        else:
            rest.append(char)
    in_source = set(order)  # once: rebuilt per code, it made thousands of codes quadratic
    order = [c for c in order if c in wanted] + [c for c in wanted if c not in in_source]
    pools: list[list[int]] = []  # runs of positions merged into one, each with its median
    for char in order:
        pools.append([wanted[char]])
        while len(pools) > 1 and _median(pools[-2]) > _median(pools[-1]):
            last = pools.pop()
            pools[-1] = sorted(pools[-1] + last)
    positions = [_median(pool) for pool in pools for _ in pool]
    inserts: dict[int, list[str]] = {}
    for char, position in zip(order, positions, strict=True):
        inserts.setdefault(position, []).append(char)
    out: list[str] = []
    for index, char in enumerate(rest):
        out.extend(inserts.get(index, ()))
        out.append(char)
    out.extend(inserts.get(len(rest), ()))
    return "".join(out)


def _median(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]
