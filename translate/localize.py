"""Numbers, money, dates, times and measurements: recognised in Indonesian, written the English way.

Machine translation garbles numbers (``1.000,5`` is 1000.5 in Indonesian and
1.0005 to an English reader), and a wrong digit in a news story is a correction
the next day.  So quantities are *recognised* in the Indonesian source
(:func:`find_quantities` → :class:`Span` s holding a parsed :class:`Quantity`),
*rendered* for the target locale with Babel's CLDR data (:class:`Localizer`:
grouping and decimal symbols, month and weekday names, date order, time format,
currency symbols and names, unit names), and *protected* through translation
(:func:`protect_document`).

How a quantity travels through the model (why a code and not the text)
-----------------------------------------------------------------------
Each recognised span is replaced in the segment by one ISOLATED inline code
(a private-use character) added to the block's code table, whose ``data`` is
the rendered English text.  :mod:`translate.inline` removes it from the model's
input and puts it back by word alignment, exactly like a Markdown code span,
and the writer expands it to the rendered text.  This *guarantees* every
quantity reaches the output exactly once, written as Babel wrote it, whatever
the model does.  The alternative, feeding the model the rendered English
("2.5 trillion rupiah") as text, lets opus-mt see the words but gives no
guarantee: the model may drop, repeat or re-round them (a randomly initialised
model garbles them every time), and a code kept beside the text would then
write the number twice.  The price is that the model translates a sentence with
a hole in it; Marian handles a missing noun phrase well, and the words around a
quantity that carry grammar (``pukul`` → "at", ``pada`` → "on") stay with the
model because spans never include them.

Documented rules for ambiguous forms
------------------------------------
* A dot followed by exactly three digits groups thousands: ``1.000`` is one
  thousand, ``1.000.000`` one million (Indonesian never writes a decimal point).
* A single dot followed by one, two or more than three digits is a decimal point
  written the English way inside Indonesian text: ``3.5`` is three and a half
  (rendered ``3.5``, i.e. as written).  Several dots that are not all thousands
  groups (``1.2.3``) are no number and are left alone.
* A single comma is the Indonesian decimal separator, even before three digits
  (``1,500`` is one and a half, rendered ``1.500``), as PUEBI prescribes.  Several
  commas in three-digit groups (``1,000,000``) are English grouping.
* With both separators, the last one is the decimal separator: ``1.000,5`` and
  ``1,000.5`` are both 1000.5.
* ``dd.dd`` after ``pukul``/``jam``/``pk.`` or before WIB/WITA/WIT, and ``dd:dd``
  anywhere, is a time of day; elsewhere ``14.00`` is a decimal and is rendered as
  written.
* Integers written without separators keep their digits as written (``2020``,
  ``16111``: years, post codes, identifiers), except money, which is always
  grouped (``Rp50000`` → ``IDR 50,000``).
* ``ribu`` (thousand) is multiplied out (``Rp50 ribu`` → ``IDR 50,000``): English
  news does not write "50 thousand rupiah".  ``juta``, ``miliar``/``milyar`` and
  ``triliun`` stay scale words via CLDR's long compact format (``2,5 triliun`` →
  "2.5 trillion"; ``miliar`` is the short-scale billion).
* Money with a scale word is written with the currency's name ("2.5 trillion
  rupiah", "3 million US dollars") in the ``code`` and ``words`` styles, and as
  "Rp2.5 trillion" in the ``symbol`` style.  Currency names are CLDR's plural
  names except ``rupiah``, which English news writes bare and uninflected (CLDR
  says "Indonesian rupiahs").
* The ``symbol`` style writes the target locale's symbol for the currency; where
  CLDR gives the target locale none but the ISO code, the currency's home symbol
  is used if it holds a letter (``Rp``, ``RM``), as a bare ``$`` or ``¥`` would be
  read as the reader's own currency.  ``$`` alone in Indonesian text is the US dollar.
* An ISO code is followed by a space ("IDR 50,000"); a symbol is not ("Rp50,000").
* Dates written with digits (``31/10/2020``, ``31-10-2020``) are rendered as long
  dates ("October 31, 2020"): the numeric order is exactly what en_US and en_GB
  readers disagree on.  A weekday that does not match its date is left out of the
  span, for the model and the reader to see.
* Measurements are never converted (10 km stays 10 km in en_US); an abbreviation
  gives CLDR's short unit ("10 km"), a written-out unit its long name, in the
  locale's spelling ("10 kilometres" in en_GB).
* Time zones WIB, WITA and WIT are kept as written: CLDR has no names for them
  in English ("Indonesia (Jakarta) Time").
* Babel's narrow and non-breaking spaces (``2:00\\u202fPM``) are written as plain
  spaces: editors, models and diff tools treat them as different characters.

Not supported (left to the model): numbers in words (``lima``, ``sejuta``),
ordinals (``ke-5``), ranges as one quantity (``10-20 persen`` gives 10 and 20%),
``dolar`` without a country, negative numbers, abbreviated scales (``Rp5 M``,
``Rp10 rb``), two-digit decades (``80-an``), times without minutes (``pukul 7 pagi``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from functools import cached_property
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import units as babel_units

from .document import CodeAllocator, CodeKind, Document
from .errors import TranslateError

DEFAULT_LOCALE = "en_US"
CURRENCY_STYLES = ("code", "symbol", "words")
#: House styles: ``cldr`` writes what CLDR prescribes for the locale; ``ap`` follows the
#: Associated Press conventions of English-language news wires (see :class:`Localizer`).
STYLES = ("cldr", "ap")
#: ``InlineCode.name`` of the codes that carry a localized quantity.
CODE_NAME = "quantity"
#: Kinds of :class:`Quantity`.
KINDS = ("number", "percent", "currency", "measure", "date", "day-month", "month-year", "decade", "time")

#: Indonesian scale words and their powers of ten (short scale: miliar = 10^9).
SCALES = {"ribu": 3, "juta": 6, "miliar": 9, "milyar": 9, "triliun": 12}
#: Currency signs written before the amount, and what they mean in Indonesian text.
CURRENCY_PREFIXES = {
    "Rp.": "IDR", "Rp": "IDR", "IDR": "IDR", "US$": "USD", "USD": "USD", "$": "USD",
    "S$": "SGD", "SGD": "SGD", "€": "EUR", "EUR": "EUR", "RM": "MYR", "¥": "JPY", "JPY": "JPY",
}
#: Currency words written after the amount (regular expressions, case-insensitive).
CURRENCY_WORDS = {
    r"rupiah": "IDR",
    r"dol+ar\s+(?:AS|Amerika\s+Serikat|Amerika)": "USD",
    r"dol+ar\s+Singapura": "SGD",
    r"dol+ar\s+Australia": "AUD",
    r"euro": "EUR",
    r"ringgit(?:\s+Malaysia)?": "MYR",
    r"yen(?:\s+Jepang)?": "JPY",
    r"yuan": "CNY",
}
#: A locale where each currency is at home, for its own symbol (``Rp`` in ``id``).
HOME_LOCALES = {"IDR": "id_ID", "USD": "en_US", "SGD": "en_SG", "AUD": "en_AU", "EUR": "de_DE",
                "MYR": "ms_MY", "JPY": "ja_JP", "CNY": "zh_CN"}
#: English news names that differ from CLDR's ("Indonesian rupiahs").
NEWS_CURRENCY_NAMES = {"IDR": "rupiah"}
#: Indonesian unit spellings → (CLDR unit id, length of the English form).
UNITS: dict[str, tuple[str, Literal["short", "long"]]] = {
    "km/jam": ("speed-kilometer-per-hour", "short"),
    "kilometer per jam": ("speed-kilometer-per-hour", "long"),
    "km²": ("area-square-kilometer", "short"), "km2": ("area-square-kilometer", "short"),
    "kilometer persegi": ("area-square-kilometer", "long"),
    "m²": ("area-square-meter", "short"), "meter persegi": ("area-square-meter", "long"),
    "km": ("length-kilometer", "short"), "kilometer": ("length-kilometer", "long"),
    "m": ("length-meter", "short"), "meter": ("length-meter", "long"),
    "cm": ("length-centimeter", "short"), "sentimeter": ("length-centimeter", "long"),
    "mm": ("length-millimeter", "short"), "milimeter": ("length-millimeter", "long"),
    "kg": ("mass-kilogram", "short"), "kilogram": ("mass-kilogram", "long"),
    "gram": ("mass-gram", "long"), "ton": ("mass-tonne", "long"),
    "ha": ("area-hectare", "short"), "hektare": ("area-hectare", "long"), "hektar": ("area-hectare", "long"),
    "liter": ("volume-liter", "long"),
    "°C": ("temperature-celsius", "short"), "° C": ("temperature-celsius", "short"),
    "derajat Celsius": ("temperature-celsius", "long"),
}
TIME_ZONES = ("WITA", "WIB", "WIT")
_UNITS_FOLDED = {unit.lower(): info for unit, info in UNITS.items() if info[1] == "long"}


@dataclass(frozen=True)
class Quantity:
    """One recognised expression, parsed: what it means, not how it was written."""

    kind: str  # one of KINDS
    value: Decimal | None = None  # the number as written, before any scale word (the year for a decade)
    digits: int = 0  # fraction digits as written
    grouped: bool = False  # written with separators or a decimal part (not a bare integer)
    scale: int = 0  # power of ten of the scale word: 3 ribu, 6 juta, 9 miliar, 12 triliun
    currency: str | None = None  # ISO 4217 code
    unit: str | None = None  # CLDR unit id
    unit_length: Literal["short", "long"] = "short"  # an abbreviation, or a written-out unit
    date: dt.date | None = None  # day-month dates carry the year 2000 (which has a 29 February)
    weekday: bool = False  # the weekday was written
    time: dt.time | None = None
    zone: str = ""  # WIB, WITA, WIT
    written: str = ""  # the numeral as written (``08``, ``2020``), for bare integers kept as they are

    @property
    def total(self) -> Decimal | None:
        """The value with its scale word applied (2,5 triliun → 2.5E+12)."""
        return None if self.value is None else self.value.scaleb(self.scale)

    def numerals(self) -> list[set[Decimal]]:
        """Numbers any faithful English rendering writes in digits: one set of accepted values each.

        Used by the QA check where a quantity was not protected (``2,5 triliun``
        may become "2.5 trillion"; ``14.00`` may become "14:00" or "2 pm").
        """
        if self.kind == "time" and self.time is not None:
            hour = self.time.hour
            wanted = [{Decimal(hour), Decimal(hour % 12 or 12)}]
            return wanted + ([{Decimal(self.time.minute)}] if self.time.minute else [])
        if self.kind in ("date", "day-month", "month-year") and self.date is not None:
            parts = [] if self.kind == "month-year" else [{Decimal(self.date.day)}]
            return parts + ([] if self.kind == "day-month" else [{Decimal(self.date.year)}])
        if self.value is None:
            return []
        if self.kind == "percent" or not self.scale:
            return [{self.value}]
        return [{self.value, self.value.scaleb(self.scale)}]


@dataclass(frozen=True)
class Span:
    """Where a quantity stands in a text, and what was written there."""

    start: int
    end: int
    text: str
    quantity: Quantity


# ---------------------------------------------------------------- numbers

_GROUPED_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_GROUPED_COMMAS = re.compile(r"\d{1,3}(?:,\d{3})+")


def parse_number(text: str) -> tuple[Decimal, int, bool] | None:
    """``(value, fraction digits, grouped)`` by the rules in the module docstring; None if no number."""
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        integer, _, fraction = text.rpartition(decimal_sep)
        if decimal_sep in integer or not re.fullmatch(rf"\d{{1,3}}(?:\{group_sep}\d{{3}})+", integer):
            return None
        return _decimal(integer.replace(group_sep, ""), fraction), len(fraction), True
    if dots:
        if _GROUPED_DOTS.fullmatch(text):
            return Decimal(text.replace(".", "")), 0, True
        if dots > 1:
            return None
        integer, _, fraction = text.partition(".")
        return _decimal(integer, fraction), len(fraction), True
    if commas:
        if commas > 1:
            return (Decimal(text.replace(",", "")), 0, True) if _GROUPED_COMMAS.fullmatch(text) else None
        integer, _, fraction = text.partition(",")
        return _decimal(integer, fraction), len(fraction), True
    return Decimal(text), 0, False


def _decimal(integer: str, fraction: str) -> Decimal:
    return Decimal(f"{integer}.{fraction}") if fraction else Decimal(integer)


# ---------------------------------------------------------------- recognition

def _alternation(words: list[str]) -> str:
    """Longest first, so ``Agustus`` is not read as ``Agu`` + ``stus``."""
    return "|".join(sorted(words, key=len, reverse=True))


_MONTH_WORDS: dict[str, int] = {}
for _width in ("wide", "abbreviated"):
    for _number, _name in babel_dates.get_month_names(_width, locale="id").items():
        _MONTH_WORDS[_name.lower()] = _number
_WEEKDAY_WORDS = {name.lower(): day for day, name in babel_dates.get_day_names("wide", locale="id").items()}
_WEEKDAY_WORDS["jum'at"] = _WEEKDAY_WORDS["jumat"]

_NUM = r"\d+(?:[.,]\d+)*"
_START = r"(?<![\w.,/:+])(?<![^\W\d_]-)"  # not inside a word, a number, +07:00, COVID-19 or ke-5
_END = r"(?!\w)(?![.,]\d)"
_SCALE = rf"(?:\s+(?i:(?P<scale>{_alternation(list(SCALES))})))?"
#: A month name; an abbreviation's dot only before a year (``5 Okt. 2020``), never a sentence's period.
_MONTH = rf"(?i:(?P<month>{_alternation([re.escape(m) for m in _MONTH_WORDS])})(?:\.(?=\s+\d{{4}}))?)"
_WEEKDAY = rf"(?i:(?P<weekday>{_alternation([re.escape(w) for w in _WEEKDAY_WORDS])}))"
_ZONE = rf"(?P<zone>{'|'.join(TIME_ZONES)})"
_PREFIX = _alternation([re.escape(p) for p in CURRENCY_PREFIXES])
_WORDS = "|".join(f"(?P<cw{i}>{pattern})" for i, pattern in enumerate(CURRENCY_WORDS))
#: Abbreviations as written (``m`` is not ``M``); written-out units in any case (``2,5 Meter`` in a headline).
def _unit_pattern(unit: str) -> str:
    pattern = re.escape(unit).replace(r"\ ", r"\s+")
    return pattern if UNITS[unit][1] == "short" else f"(?i:{pattern})"


_UNIT = "|".join(_unit_pattern(u) for u in sorted(UNITS, key=len, reverse=True))

#: (kind, pattern) in priority order: at the same start, the longest match wins, then the earliest here.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("numeric-date", re.compile(rf"{_START}(?P<day>\d{{1,2}})(?P<sep>[/.-])(?P<mon>\d{{1,2}})(?P=sep)"
                                rf"(?P<year>\d{{4}}){_END}")),
    ("date", re.compile(rf"(?<!\w)(?:{_WEEKDAY},?\s+(?:(?i:tanggal)\s+)?)?(?P<day>\d{{1,2}})\s+{_MONTH}"
                        rf"(?:\s+(?P<year>\d{{4}}))?{_END}")),
    ("month-year", re.compile(rf"(?<!\w){_MONTH}\s+(?P<year>\d{{4}}){_END}")),
    ("decade", re.compile(rf"{_START}(?:(?i:tahun)\s+)?(?P<year>\d{{3}}0)-an{_END}")),
    ("time", re.compile(rf"(?<!\w)(?i:pukul|jam|pk\.?)\s+(?P<span>(?P<hour>\d{{1,2}})[.:](?P<minute>\d{{2}})"
                        rf"(?:\s*{_ZONE})?){_END}")),
    ("time", re.compile(rf"{_START}(?P<span>(?P<hour>\d{{1,2}})[.:](?P<minute>\d{{2}})\s*{_ZONE}){_END}")),
    ("time", re.compile(rf"{_START}(?P<span>(?P<hour>\d{{2}}):(?P<minute>\d{{2}})){_END}")),
    ("currency", re.compile(rf"(?<![\w$€¥])(?P<prefix>{_PREFIX})\s?(?P<num>{_NUM}){_SCALE}"
                            rf"(?:,-{{1,2}})?{_END}")),
    ("currency", re.compile(rf"{_START}(?P<num>{_NUM}){_SCALE}\s+(?i:{_WORDS}){_END}")),
    ("percent", re.compile(rf"{_START}(?P<num>{_NUM})(?:\s?%|\s*(?i:persen){_END})")),
    ("measure", re.compile(rf"{_START}(?P<num>{_NUM}){_SCALE}\s?(?P<unit>{_UNIT})(?!\w)")),
    ("number", re.compile(rf"{_START}(?P<num>{_NUM})\s+(?i:(?P<scale>{_alternation(list(SCALES))})){_END}")),
    ("number", re.compile(rf"{_START}(?P<num>{_NUM}){_END}")),
]


def find_quantities(text: str) -> list[Span]:
    """Every quantity in ``text`` (plain or coded; code characters are walls), in order, never overlapping."""
    found: list[tuple[int, int, int, Span]] = []
    for priority, (kind, pattern) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            made = _make(kind, match)
            if made is not None:
                start, end, quantity = made
                found.append((start, -end, priority, Span(start, end, text[start:end], quantity)))
    spans: list[Span] = []
    for _, _, _, span in sorted(found, key=lambda f: f[:3]):
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    return spans


def _make(kind: str, m: re.Match[str]) -> tuple[int, int, Quantity] | None:
    """Parse one match; None where it is no valid quantity (31/02/2020, 25.61, 1.2.3)."""
    groups = m.groupdict()
    start, end = m.span("span") if groups.get("span") is not None else m.span()
    if kind == "time":
        hour, minute = int(m["hour"]), int(m["minute"])
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            return None
        return start, end, Quantity("time", time=dt.time(hour % 24, minute), zone=groups.get("zone") or "")
    if kind == "decade":
        return start, end, Quantity("decade", value=Decimal(m["year"]))
    if kind in ("numeric-date", "date", "month-year"):
        return _make_date(kind, m, start, end)
    number = parse_number(m["num"])
    if number is None:
        return None
    value, digits, grouped = number
    scale = SCALES[m["scale"].lower()] if groups.get("scale") else 0
    base = Quantity(kind, value, digits, grouped, scale, written=m["num"])
    if kind == "currency":
        if groups.get("prefix"):
            code = CURRENCY_PREFIXES[m["prefix"]]
        else:
            index = next(i for i in range(len(CURRENCY_WORDS)) if groups.get(f"cw{i}"))
            code = list(CURRENCY_WORDS.values())[index]
        return start, end, replace(base, currency=code)
    if kind == "measure":
        unit = " ".join(m["unit"].split())
        cldr, length = UNITS.get(unit) or _UNITS_FOLDED[unit.lower()]
        return start, end, replace(base, unit=cldr, unit_length=length)
    return start, end, base


def _make_date(kind: str, m: re.Match[str], start: int, end: int) -> tuple[int, int, Quantity] | None:
    groups = m.groupdict()
    if kind == "numeric-date":
        month = int(m["mon"])
    else:
        month = _MONTH_WORDS[m["month"].lower()]
    day = int(groups["day"]) if groups.get("day") else 1
    year = int(m["year"]) if groups.get("year") else 2000
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if kind == "month-year":
        return start, end, Quantity("month-year", date=date)
    if kind == "date" and not groups.get("year"):
        return start, end, Quantity("day-month", date=date)
    weekday = bool(groups.get("weekday"))
    if weekday and _WEEKDAY_WORDS[m["weekday"].lower()] != date.weekday():
        start, weekday = m.start("day"), False  # a wrong weekday is not ours to correct or hide
    return start, end, Quantity("date", date=date, weekday=weekday)


# ---------------------------------------------------------------- rendering

_NUMBER_PART = re.compile(r"0(?:\.[0#]+)?(?=[^0#]*$)")


def _with_fraction(pattern: str, digits: int) -> str:
    """A CLDR number pattern with exactly ``digits`` fraction digits (``#,##0.###`` → ``#,##0.00``)."""
    positive = pattern.split(";")[0]
    return _NUMBER_PART.sub("0" + ("." + "0" * digits if digits else ""), positive, count=1)


def _plain_spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _parse_locale(tag: str) -> Locale:
    """``en_GB`` (CLDR) or ``en-GB`` (BCP 47, as in ``lang`` attributes)."""
    return Locale.parse(tag, sep="-" if "-" in tag else "_")


@dataclass(frozen=True)
class Localizer:
    """Renders quantities for one English target locale.

    ``currency_style`` is code (``IDR 50,000``), symbol (``Rp50,000``) or words
    (``50,000 rupiah``).  ``style`` is the house style: ``cldr`` (the default)
    renders everything from the locale's CLDR data; ``ap`` follows the AP
    Stylebook as wire copy does, for money, times and percentages only:

    * money: the currency's symbol, a space after a symbol made of letters, and
      the scale word: ``Rp 3.5 billion``, ``Rp 250,000``, ``$3 million``
      (``currency_style`` is then not used);
    * times: ``2 p.m.``, ``5:30 a.m.``, ``noon``, ``midnight`` (``2 p.m. WIB``);
    * percentages: ``2.5 percent``.

    Dates, plain numbers and measurements are rendered as in ``cldr`` style.
    """

    locale: str = DEFAULT_LOCALE
    currency_style: str = "code"
    style: str = "cldr"

    def __post_init__(self) -> None:
        if self.currency_style not in CURRENCY_STYLES:
            raise TranslateError(f"unknown currency style {self.currency_style!r}",
                                 hint=f"use one of: {', '.join(CURRENCY_STYLES)}")
        if self.style not in STYLES:
            raise TranslateError(f"unknown style {self.style!r}", hint=f"use one of: {', '.join(STYLES)}")
        try:
            locale = _parse_locale(self.locale)
        except (UnknownLocaleError, ValueError) as error:
            raise TranslateError(f"unknown locale {self.locale!r}",
                                 hint="use a locale Babel knows, such as en_US, en_GB or en_AU") from error
        if locale.language != "en":
            raise TranslateError(f"locale {self.locale!r} is not an English locale",
                                 hint="the output is English: use en_US, en_GB, en_AU or another English one")

    @cached_property
    def _locale(self) -> Locale:
        return _parse_locale(self.locale)

    @property
    def tag(self) -> str:
        """The locale as CLDR writes it (``en_GB``): what a page's ``og:locale`` names."""
        return str(self._locale)

    def signature(self) -> str:
        style = "" if self.style == "cldr" else f",style={self.style}"
        return f"localize={self.locale},{self.currency_style}{style}"

    def localize(self, text: str) -> str:
        """``text`` with every recognised quantity replaced by its rendering (for checks and tests)."""
        parts, last = [], 0
        for span in find_quantities(text):
            parts += [text[last : span.start], self.render(span.quantity)]
            last = span.end
        return "".join(parts) + text[last:]

    def render(self, q: Quantity) -> str:
        """The English form of a quantity in this locale.

        Babel rounds with the current decimal context, whose 28 digits a long
        number written in the text exceeds (``decimal.InvalidOperation``); the
        context here holds every digit, so any number is written exactly.
        """
        with localcontext() as context:
            context.prec = max(context.prec, 28 + len(str(q.value or "")) + q.scale + q.digits)
            return self._render(q)

    def _render(self, q: Quantity) -> str:
        if self.style == "ap" and q.kind in ("time", "percent", "currency"):
            return self._render_ap(q)
        if q.kind == "time" and q.time is not None:
            text = babel_dates.format_time(q.time, "short", locale=self._locale)
            return _plain_spaces(f"{text} {q.zone}" if q.zone else text)
        if q.kind == "date" and q.date is not None:
            return _plain_spaces(babel_dates.format_date(q.date, "full" if q.weekday else "long",
                                                         locale=self._locale))
        if q.kind in ("day-month", "month-year") and q.date is not None:
            skeleton = "MMMMd" if q.kind == "day-month" else "yMMMM"
            return _plain_spaces(babel_dates.format_skeleton(skeleton, q.date, locale=self._locale))
        if q.kind == "decade" and q.value is not None:
            return f"the {q.value}s"
        if q.kind == "percent" and q.value is not None:
            pattern = _with_fraction(self._locale.percent_formats[None].pattern, q.digits)
            percent = babel_numbers.format_percent(q.value.scaleb(-2), pattern, locale=self._locale)
            return _plain_spaces(percent)
        if q.kind == "currency":
            return self._currency(q)
        if q.kind == "measure" and q.unit is not None and q.total is not None:
            plain = babel_units.format_unit(q.total, q.unit, q.unit_length, locale=self._locale)
            default = babel_numbers.format_decimal(q.total, locale=self._locale)
            return _plain_spaces(plain.replace(default, self._amount(q), 1))
        return self._amount(q)

    def _render_ap(self, q: Quantity) -> str:
        """Money, times and percentages as the AP Stylebook writes them (see the class docstring)."""
        if q.kind == "time" and q.time is not None:
            hour, minute = q.time.hour, q.time.minute
            if minute == 0 and hour in (0, 12):
                text = "midnight" if hour == 0 else "noon"
            else:
                clock = str(hour % 12 or 12) + (f":{minute:02d}" if minute else "")
                text = f"{clock} {'a.m.' if hour < 12 else 'p.m.'}"
            return f"{text} {q.zone}" if q.zone else text
        if q.kind == "percent" and q.value is not None:
            return f"{self._number(q.value, q.digits)} percent"
        assert q.currency is not None
        symbol = self._symbol(q.currency)
        gap = " " if symbol[-1].isalpha() else ""  # "Rp 50,000", "$3 million"
        return f"{symbol}{gap}{self._amount(q, money=True)}"

    def _number(self, value: Decimal, digits: int) -> str:
        pattern = _with_fraction(self._locale.decimal_formats[None].pattern, digits)
        return babel_numbers.format_decimal(value, pattern, locale=self._locale)

    def _amount(self, q: Quantity, money: bool = False) -> str:
        """The number of a quantity, scale word included: "1,000.5", "2.5 trillion", "50,000"."""
        assert q.value is not None and q.total is not None
        if q.scale >= 6:
            # enough fraction digits never to round: Babel drops the trailing zeros
            compact = babel_numbers.format_compact_decimal(q.total, format_type="long", locale=self._locale,
                                                           fraction_digits=q.digits + q.scale)
            return _plain_spaces(compact)
        if q.scale:
            return self._number(q.total, max(0, q.digits - q.scale))
        if not q.grouped and not money:
            return q.written or str(q.value)
        return self._number(q.value, q.digits)

    def _currency(self, q: Quantity) -> str:
        assert q.currency is not None and q.total is not None
        amount = self._amount(q, money=True)
        if self.currency_style == "words" or (q.scale >= 6 and self.currency_style == "code"):
            name = NEWS_CURRENCY_NAMES.get(q.currency) or babel_numbers.get_currency_name(
                q.currency, count=q.total, locale=self._locale)
            return f"{amount} {name}"
        symbol = q.currency if self.currency_style == "code" else self._symbol(q.currency)
        gap = " " if re.fullmatch(r"[A-Z]{3}", symbol) else ""  # "IDR 50,000", "Rp50,000"
        pattern = self._locale.currency_formats["standard"].pattern.split(";")[0]
        if pattern.strip().startswith("¤"):
            return f"{symbol}{gap}{amount}"
        return f"{amount} {symbol}"

    def _symbol(self, code: str) -> str:
        symbol = babel_numbers.get_currency_symbol(code, locale=self._locale)
        if symbol != code:
            return symbol
        home = HOME_LOCALES.get(code)
        home_symbol = babel_numbers.get_currency_symbol(code, locale=home) if home else code
        return home_symbol if any(c.isalpha() for c in home_symbol) else code


# ---------------------------------------------------------------- the pipeline step

@dataclass(frozen=True)
class Protection:
    """A quantity replaced by an isolated code in one segment; the code's data is ``rendered``."""

    segment: str  # segment id
    char: str  # the code character standing for it in the source and target
    span: Span  # where it was in the segment's source before protection, and what it meant
    rendered: str

    @property
    def source_text(self) -> str:
        return self.span.text


def protect_document(document: Document, localizer: Localizer) -> list[Protection]:
    """Replace every recognised quantity by an ISOLATED code whose data is its rendering.

    Run between segmentation and translation.  The code joins the block's code
    table (named :data:`CODE_NAME`), so the engine, the glossary matcher and the
    cache treat it like any inline markup, and the writer expands it to the
    rendered English text.  Segments left with no letters (``Rp 50.000``, a date
    heading) are copied by the pipeline, rendered, without reaching the engine.
    The document is tagged with the locale (``document.target_locale``) for
    writers that name it (HTML ``og:locale``).  A block with no code character
    left (over :data:`~translate.document.CODE_CAPACITY` codes and quantities)
    keeps its remaining quantities as written, for the model, and the document
    says so in a warning.
    """
    document.target_locale = localizer.tag
    protections: list[Protection] = []
    unprotected = 0
    for block in document.blocks:
        allocator = CodeAllocator(block.codes)
        for segment in block.segments:
            spans = find_quantities(segment.source)
            if not spans:
                continue
            parts, last = [], 0
            for span in spans:
                if not allocator.available():
                    unprotected += 1
                    continue
                rendered = localizer.render(span.quantity)
                char = allocator.code(CodeKind.ISOLATED, rendered, CODE_NAME)
                protections.append(Protection(str(segment.id), char, span, rendered))
                parts += [segment.source[last : span.start], char]
                last = span.end
            segment.source = "".join(parts) + segment.source[last:]
    if unprotected:
        document.warnings.append(f"{unprotected:,} quantities not localized: a block holds more than "
                                 "the code characters can protect; they are left to the model")
    return protections


__all__ = [
    "CODE_NAME",
    "CURRENCY_STYLES",
    "STYLES",
    "DEFAULT_LOCALE",
    "Localizer",
    "Protection",
    "Quantity",
    "Span",
    "find_quantities",
    "parse_number",
    "protect_document",
]
