"""Sentence segmentation of Indonesian coded text, by hand-written rules.

Why rules and not a library: no segmenter we know of splits Indonesian with an
Indonesian abbreviation list.  syntok and sentencex (measured against ours in
``benchmarks/segmentation.py``) carry English/generic lists, so they split after
``Jl.``, ``Brigjen.`` or ``Rp.`` (syntok after ``dr.`` too), and none of them knows that our text
holds private-use *code characters* standing for inline markup.  The rules are
few, each one is a plain fact about written Indonesian, and each has a test.

A sentence may end after ``.``, ``!``, ``?`` or ``…`` (or a run such as ``?!`` or
``...``), followed by any closing quotes, brackets and code characters, and then
whitespace; the split happens at that whitespace only, so the text between
sentences is always whitespace.  It is a boundary when what follows looks like a
sentence start (upper-case letter, digit, quote, bracket, dash, code) and the
word before the period is not an abbreviation (``translate/data/abbreviations_id.txt``),
an initial (``B. J. Habibie``, ``J.K. Rowling``) or a list number at the start of
a line.  Lower-case words continue the sentence (``Ia diam... lalu pergi``), and
a parenthesis is not split when the sentence goes on after it.  A quotation of
several sentences *is* split (``"Kami siap.`` | ``Kami menang," kata dia.``), as
news translators and the NTREX gold segmentation do: keeping every quote whole
cost 2 points of recall in the benchmark and makes very long segments.

Code characters (private-use, :data:`~translate.document.CODE_RANGES`) are opaque:
neither letters nor spaces.  The caller says which of them close a markup span
(:class:`~translate.document.CodeKind` ``CLOSE``): a closing code after the
whitespace means the span is still open, so the sentence is not split there.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from translate.document import (
    CODE_CLASS,
    LINE_BREAK_CODES,
    Block,
    CodeKind,
    Document,
    Segment,
    SegmentId,
    is_code_char,
)

#: Quotes and brackets that may close a sentence after its final punctuation.
CLOSING_PUNCT = "\"'”’»›)]}"
#: Quotes and brackets that may open a sentence.
OPENING_PUNCT = "\"'“‘«‹([{„"
#: Characters that start a list item on a new line.
BULLETS = "-–—•*·‣▪"
#: Punctuation that cannot start a sentence.
CONTINUING_PUNCT = ",;:.!?…%"

_CODE = CODE_CLASS
#: Terminal punctuation (group 1), closing quotes/brackets/codes, whitespace (group 2).
#: Tried only where a run of terminal punctuation starts: tried inside a run, it re-read the run
#: at every position (100,000 dots without a space took 275 s).
_CANDIDATE = re.compile(rf"(?<![.!?…])([.!?…]+)[\"'”’»›)\]}}{_CODE}]*(\s+)")
_DOTTED_LETTERS = re.compile(r"(?:[^\W\d_]\.){2,}")
_LIST_NUMBER = re.compile(r"\d{1,3}\.|[^\W\d_]\.")
_LIST_ITEM = re.compile(r"(?:\d{1,3}|[^\W\d_])[.)][ \t]")


@dataclass(frozen=True)
class Abbreviations:
    """The two classes of ``abbreviations_id.txt`` (see the file's header)."""

    never_final: frozenset[str]
    may_end: frozenset[str]


def parse_abbreviations(text: str) -> Abbreviations:
    """Parse the data file format: ``[section]`` headers, one entry a line, ``#`` comments."""
    sections: dict[str, set[str]] = {"never-final": set(), "may-end": set()}
    current: set[str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1]
            if name not in sections:
                raise ValueError(f"abbreviations line {number}: unknown section {line}")
            current = sections[name]
        elif current is None:
            raise ValueError(f"abbreviations line {number}: entry before any section")
        else:
            current.add(line)
    return Abbreviations(frozenset(sections["never-final"]), frozenset(sections["may-end"]))


@lru_cache(maxsize=1)
def abbreviations() -> Abbreviations:
    """The packaged Indonesian abbreviation list, read once."""
    text = resources.files("translate.data").joinpath("abbreviations_id.txt").read_text(encoding="utf-8")
    return parse_abbreviations(text)


def _parentheses(text: str) -> list[tuple[int, int]]:
    """(open, close) positions of the matched parentheses in ``text``."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, char in enumerate(text):
        if char == "(":
            stack.append(i)
        elif char == ")" and stack:
            pairs.append((stack.pop(), i))
    return pairs


class _ContinuedParentheses:
    """The parentheses that the sentence goes on after, asked "does one enclose this?" in log time.

    Looping over every pair for every candidate was quadratic in a text of many
    parenthesised sentences.  A pair encloses ``[start, end)`` when it opens
    before ``start`` and closes at or after ``end``: so the question is whether
    the latest close among the pairs opening before ``start`` reaches ``end``.
    """

    def __init__(self, text: str) -> None:
        pairs = sorted(p for p in _parentheses(text) if _continues_after(text, p[1]))
        self.opens = [open_ for open_, _ in pairs]
        self.latest_close: list[int] = []
        for _, close in pairs:
            self.latest_close.append(max(close, self.latest_close[-1]) if self.latest_close else close)

    def enclose(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self.opens, start)
        return before > 0 and self.latest_close[before - 1] >= end


def _continues_after(text: str, close: int) -> bool:
    """Whether the sentence goes on after the parenthesis closing at ``close``."""
    if text[close - 1] in ",;:":
        return True
    i = close + 1
    while i < len(text) and text[i].isspace():
        i += 1
    return i < len(text) and (text[i].islower() or text[i] in ",;:")


def _word_before(text: str, period: int) -> tuple[str, int]:
    """The word ending with the period at ``period`` (codes and opening brackets dropped)."""
    start = period
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = "".join(c for c in text[start : period + 1] if not is_code_char(c))
    return word.lstrip(OPENING_PUNCT), start


def _is_abbreviation(word: str, known: frozenset[str]) -> bool:
    """``word`` or its last dotted or slashed part (``Prof.Dr.``, ``03/RW.``) is in ``known``."""
    if word in known:
        return True
    inner = max(word.rfind(".", 0, len(word) - 1), word.rfind("/"))
    return inner >= 0 and word[inner + 1 :] in known


def split_sentences(text: str, closing: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``.

    Spans never start or end with whitespace and everything between two spans is
    whitespace.  ``closing`` holds the code characters that close a markup span.
    """
    first = len(text) - len(text.lstrip())
    if first == len(text):
        return []
    pairs = _ContinuedParentheses(text)
    spans: list[tuple[int, int]] = []
    start = first
    for match in _CANDIDATE.finditer(text):
        end, next_start = match.span(2)
        if next_start < len(text) and _is_boundary(text, match, pairs, closing):
            spans.append((start, end))
            start = next_start
    spans.append((start, len(text.rstrip())))
    return spans


def _is_boundary(
    text: str, match: re.Match[str], pairs: _ContinuedParentheses, closing: frozenset[str]
) -> bool:
    """Whether the candidate ``match`` (punctuation, closers, whitespace) ends a sentence."""
    term_start, run = match.start(), match.group(1)
    end, next_start = match.span(2)
    following = text[next_start]

    # A new line that starts a list item ("- beras", "a. Setuju"), after a line ending a sentence.
    if "\n" in match.group(2) and (following in BULLETS or _LIST_ITEM.match(text, next_start)):
        return True
    # A closing code after the space: its span, opened in this sentence, is not over.
    if following in closing:
        return False
    # Elision or doubt inside brackets: "[...]", "(?)".
    if term_start > 0 and text[term_start - 1] in "([":
        return False

    # What the next sentence would start with, past opening quotes, brackets and codes.
    i = next_start
    while i < len(text) and (text[i] in OPENING_PUNCT or (is_code_char(text[i]) and text[i] not in closing)):
        i += 1
    if i == len(text):
        return False
    char = text[i]
    if char.islower() or char in CONTINUING_PUNCT or char in CLOSING_PUNCT:
        return False

    # Inside a parenthesis that the sentence continues after: "(Ia lahir 1950. Kini ...) dan".
    if pairs.enclose(term_start, end):
        return False

    if run != ".":
        return True  # "!", "?", "…", "...", "?!": no abbreviation ends with them
    word, word_start = _word_before(text, term_start)
    known = abbreviations()
    if _is_abbreviation(word, known.never_final):
        return False
    if _is_abbreviation(word, known.may_end):
        return char.isupper() and following not in "([{"
    if len(word) == 2 and word[0].isupper():
        return False  # an initial: "B. J. Habibie"
    if _DOTTED_LETTERS.fullmatch(word):
        return False  # "J.K. Rowling", "A.S.", "a.n."
    before = word_start
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    if (before == 0 or text[before - 1] == "\n") and _LIST_NUMBER.fullmatch(word):
        return False  # a numbered item "1. Pertama", "a. Kedua"
    return True


def segment_block(block: Block, document: str) -> None:
    """Replace ``block``'s segments by its sentences; ``block.source`` stays identical.

    A line-break code between two sentences lands in the gap between them, so
    the engine never sees it and it stays exactly where it was (the names of
    such codes are :data:`~translate.document.LINE_BREAK_CODES`).
    """
    source = block.source
    closing = frozenset(char for char, code in block.codes.items() if code.kind == CodeKind.CLOSE)
    breaks = {char for char, code in block.codes.items()
              if code.kind == CodeKind.ISOLATED and code.name in LINE_BREAK_CODES}
    view = "".join("\n" if char in breaks else char for char in source) if breaks else source
    spans = split_sentences(view, closing)
    if not spans:
        block.segments, block.gaps = [], [source]
        return
    block.segments = [
        Segment(SegmentId(document, block.index, i), source[start:end])
        for i, (start, end) in enumerate(spans)
    ]
    ends = [0] + [end for _, end in spans]
    starts = [start for start, _ in spans] + [len(source)]
    block.gaps = [source[e:s] for e, s in zip(ends, starts, strict=True)]


def segment_document(doc: Document) -> Document:
    """Split every block of ``doc`` into sentences (ids use ``doc.name``); returns ``doc``."""
    for block in doc.blocks:
        segment_block(block, doc.name)
    return doc
