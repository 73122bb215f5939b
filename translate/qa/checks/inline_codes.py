"""Inline markup (links, bold, code spans, HTML elements) missing, duplicated or out of order.

Codes are compared by what they stand for — kind, name and markup — so the
check works both on a run's output (one code table) and on two files read
separately (each with its own).  Localized quantities are left to the
``numbers`` check.  Order matters where markup breaks without it: a span must
close after it opens and spans must nest as in the source (``<b><i>..</b></i>``
is broken HTML).  Paired spans may move as a unit, as words do between
languages; isolated codes (images, code spans, line breaks) swapping places is
a warning, since their order is part of what the reader sees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from ...document import CodeKind, InlineCode, is_code_char
from ...localize import CODE_NAME
from ..model import ERROR, WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

CODE_MISSING = "code-missing"
CODE_EXTRA = "code-extra"
CODE_NESTING = "code-nesting"
CODE_ORDER = "code-order"

Key = tuple[str, str, str]


def _codes(coded: str, table: Mapping[str, InlineCode]) -> list[tuple[str, Key]]:
    """(char, key) of each markup code in order, quantities left out."""
    out = []
    for char in coded:
        if is_code_char(char) and char in table and table[char].name != CODE_NAME:
            code = table[char]
            out.append((char, (code.kind.value, code.name, code.data)))
    return out


def _shown(key: Key) -> str:
    data = key[2] if len(key[2]) <= 40 else key[2][:37] + "..."
    return f"{key[1] or key[0]} {data!r}"


def _well_nested(codes: list[tuple[str, Key]], table: Mapping[str, InlineCode]) -> bool:
    """Every close code closes the innermost open span, which opened before it."""
    stack: list[str] = []
    for char, _key in codes:
        code = table[char]
        if code.kind is CodeKind.OPEN:
            stack.append(char)
        elif code.kind is CodeKind.CLOSE and code.pair is not None:
            if not stack or stack[-1] != code.pair:
                return False
            stack.pop()
    return True


@register
class InlineCodesCheck(Check):
    name = "inline-codes"
    description = "inline markup (links, bold, code spans, tags) missing, duplicated or badly ordered"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source = _codes(unit.source, unit.source_codes)
        target = _codes(unit.target or "", unit.codes_of_target)
        if not source and not target:
            return []
        issues = []
        wanted, got = Counter(k for _, k in source), Counter(k for _, k in target)
        for key, count in _one_per_pair(wanted - got).items():
            char = next(c for c, k in source if k == key)
            issues.append(self.issue(unit, CODE_MISSING, ERROR,
                                     f"markup {_shown(key)} missing ({count} of {wanted[key]})",
                                     source_span=_span(unit, char, source=True)))
        for key, count in _one_per_pair(got - wanted).items():
            char = next(c for c, k in reversed(target) if k == key)
            what = "duplicated" if key in wanted else "not in the source"
            issues.append(self.issue(unit, CODE_EXTRA, ERROR, f"markup {_shown(key)} {what} ({count} extra)",
                                     target_span=_span(unit, char, source=False)))
        if _well_nested(source, unit.source_codes) and not _well_nested(target, unit.codes_of_target):
            issues.append(self.issue(unit, CODE_NESTING, ERROR,
                                     "markup spans close before they open or cross each other "
                                     "(the source's nest)"))
        isolated_source = [k for _, k in source if k[0] == CodeKind.ISOLATED.value]
        isolated_target = [k for _, k in target if k[0] == CodeKind.ISOLATED.value]
        if Counter(isolated_source) == Counter(isolated_target) and isolated_source != isolated_target:
            pairs = zip(isolated_source, isolated_target, strict=True)
            first = next(i for i, (a, b) in enumerate(pairs) if a != b)
            issues.append(self.issue(unit, CODE_ORDER, WARNING,
                                     f"{_shown(isolated_target[first])} comes where the source has "
                                     f"{_shown(isolated_source[first])}: check the order"))
        return issues


def _one_per_pair(counts: Counter) -> Counter:
    """A span lost or added whole is one finding: its closing code is left out when its opening is in."""
    opened = {key[1] for key in counts if key[0] == CodeKind.OPEN.value}
    return Counter({k: n for k, n in counts.items() if not (k[0] == CodeKind.CLOSE.value and k[1] in opened)})


def _span(unit: QAUnit, char: str, source: bool) -> tuple[int, int] | None:
    plain = unit.source_plain if source else unit.target_plain
    """Where the code's text is (None for markup that shows no text, such as ``**``)."""
    return next(((start, end) for c, start, end in plain.code_spans if c == char and end > start), None)
