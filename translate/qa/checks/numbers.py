"""Numbers, dates, money and times: missing, changed or duplicated in the translation.

Values are compared, not strings: the source is read the Indonesian way
(:func:`translate.localize.find_quantities`: ``1.250`` is 1250, ``2,5`` is 2.5)
and the target the English way (:func:`english_numbers`: ``1,250`` and ``2.5``).

* A quantity protected by :func:`translate.localize.protect_document` is an
  inline code: it must be in the target exactly once (placement guarantees it
  for model engines; the check also covers engines and edits that do not).
* Any other quantity of the source (all of them with ``--no-localize``, or when
  two files are compared) must appear in the target's digits with the same
  value: "2,5 persen" needs a 2.5, so a model that copied ``2,5`` (25, or 2 and
  5, to an English reader) is flagged.  Dates need their day and year, times
  their hour (14 or 2) and minutes, a scaled number either its mantissa or its
  full value ("2.5" or "2,500,000,000,000").
* A missing value is reported as **changed** when the target has a number the
  source does not account for (minutes after a colon excepted: "2:00" writes a
  0 no source number asks for), as **missing** otherwise.
* A target value that a source quantity accepts but that is left over once each
  quantity has taken one is **duplicated** (the model wrote "1,250" twice).
* English style is accepted: a small number in words ("ten years" for
  "10 tahun", :data:`NUMBER_WORDS`), a time as hours.minutes ("7.55am"), and a
  decimal with two digits that reads as a time written as one ("07.30" → "07:30").
  Numbers the source does not have at all are not flagged by themselves: a
  translator may write "seven" as 7 or "12 noon" for 12.00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from ...document import CodeKind, InlineCode
from ...localize import CODE_NAME, Protection, find_quantities
from ..model import ERROR, WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

NUMBER_MISSING = "number-missing"
NUMBER_CHANGED = "number-changed"
NUMBER_REPEATED = "number-repeated"

#: A number written the English way: 1,000,000.5 (the comma only in groups of three).
_ENGLISH_NUMBER = re.compile(r"(?<!\d)(?<!\d[.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")


#: Numbers English style may write in words ("Ten years previously", "seven urban villages").
NUMBER_WORDS = {Decimal(n): word for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {
    Decimal(10 * n): word
    for n, word in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)}
_WORD = re.compile(r"[^\W\d_]+")


def _written_as_time(quantity, available: list[tuple[Decimal, tuple[int, int]]], text: str) -> list[int]:
    """Target numbers writing a time the other way: "pukul 7.55" as "7.55am", a bare "07.30" as "07:30".

    Returns the indices in ``available`` to consume (empty: not written so).
    """
    if quantity.kind == "time" and quantity.time is not None and quantity.time.minute:
        hour, minute = quantity.time.hour, quantity.time.minute
        forms = {Decimal(f"{h}.{minute:02d}") for h in (hour, hour % 12 or 12)}
        return next(([i] for i, (value, _) in enumerate(available) if value in forms), [])
    value = quantity.value
    if quantity.kind != "number" or value is None or quantity.digits != 2 or not 0 <= value < 24:
        return []
    hour, minute = int(value), int((value - int(value)) * 100)
    for i in range(len(available) - 1):
        (h, (_, h_end)), (m, (m_start, _)) = available[i], available[i + 1]
        if h in {hour, hour % 12 or 12} and m == minute and text[h_end:m_start] == ":" and minute < 60:
            return [i, i + 1]
    return []


def english_numbers(text: str) -> list[Decimal]:
    """The values of the numbers in an English text (``1,000.5`` → 1000.5; ``2:00`` → 2 and 0)."""
    return [value for value, _span in _english_number_spans(text)]


def _english_number_spans(text: str,
                          skip: Sequence[tuple[int, int]] = ()) -> list[tuple[Decimal, tuple[int, int]]]:
    found = []
    for m in _ENGLISH_NUMBER.finditer(text):
        if any(start <= m.start() < end for start, end in skip):
            continue
        found.append((Decimal(m.group().replace(",", "")), m.span()))
    return found


def plain_value(value: Decimal) -> str:
    """A value as an English reader writes it, without exponent (2.5E+12 → 2,500,000,000,000)."""
    text = f"{value:f}"
    integer, _, fraction = text.partition(".")
    return f"{int(integer):,}" + (f".{fraction}" if fraction else "")


@register
class NumbersCheck(Check):
    name = "numbers"
    description = "numbers, dates, money and times missing, changed or duplicated (values, not strings)"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        issues = list(self._protected(unit))
        source, target = unit.source_plain, unit.target_plain
        quantity_spans = target.spans_of(CODE_NAME, unit.codes_of_target)
        available = _english_number_spans(target.text, quantity_spans)
        words = {w.lower() for w in _WORD.findall(target.text)}
        wanted = set()
        missing = []
        for span in find_quantities(unit.source):
            as_time = _written_as_time(span.quantity, available, target.text)
            if as_time:
                for index in reversed(as_time):
                    del available[index]
                continue
            for accepted in span.quantity.numerals():
                wanted |= accepted
                found = next((i for i, (value, _) in enumerate(available) if value in accepted), None)
                if found is None:
                    if any(NUMBER_WORDS.get(value) in words for value in accepted):
                        continue  # "10 tahun" written "ten years"
                    missing.append((span, accepted))
                    break
                del available[found]
        spare = [(v, s) for v, s in available if v not in wanted and not target.text[: s[0]].endswith(":")]
        for span, accepted in missing:
            shown = " or ".join(sorted({plain_value(v) for v in accepted}, key=len))
            where = (source.from_coded[span.start], source.from_coded[span.end])
            if spare:
                value, target_span = spare.pop(0)
                issues.append(self.issue(
                    unit, NUMBER_CHANGED, ERROR,
                    f"{span.text!r} is {shown}, the translation has {target.text[slice(*target_span)]!r}",
                    source_span=where, target_span=target_span, expected=shown))
            else:
                issues.append(self.issue(unit, NUMBER_MISSING, ERROR,
                                         f"{span.text!r}: no {shown} in the translation",
                                         source_span=where, expected=shown))
        for value, target_span in available:
            if value in wanted:
                issues.append(self.issue(
                    unit, NUMBER_REPEATED, WARNING,
                    f"{target.text[slice(*target_span)]!r} appears more often than in the source",
                    target_span=target_span))
        return issues

    def _protected(self, unit: QAUnit) -> Iterable[QAIssue]:
        """Each protected quantity's code exactly once in the target."""
        target = unit.target or ""
        for protection in unit.protections:
            count = target.count(protection.char)
            if count == 1:
                continue
            code = NUMBER_MISSING if count == 0 else NUMBER_REPEATED
            written, rendered = protection.source_text, protection.rendered
            where = unit.source_plain.from_coded
            index = unit.source.find(protection.char)
            span = (where[index], where[index + 1]) if index >= 0 else None
            yield self.issue(unit, code, ERROR,
                             f"{written!r} should appear once as {rendered!r}, found {count} time(s)",
                             source_span=span, expected=rendered)


def check_numbers(source_coded: str, target_coded: str, protections: Sequence[Protection] = (),
                  segment: str = "") -> list[QAIssue]:
    """The number check on one segment's coded texts (``protections``: its protected quantities).

    The function the first QA release offered; :class:`NumbersCheck` on a
    :class:`~translate.qa.model.QAUnit` is the same check.  ``QAIssue.source``
    is then the source text concerned (``"Rp 2,5 triliun"``).
    """
    codes = {p.char: InlineCode(p.char, CodeKind.ISOLATED, p.rendered, None, CODE_NAME) for p in protections}
    unit = QAUnit(segment, source_coded, target_coded, codes, protections=protections)
    source = unit.source_plain.text
    return [replace(issue, source=source[slice(*issue.source_span)]) if issue.source_span else issue
            for issue in NumbersCheck().check_unit(unit, QAContext())]
