"""Coded text as a reader sees it, with the offsets to go back and forth.

Checks about words, spacing and punctuation must not see markup, but must see
what stands for text: a localized number (its code's data is "2.5%"), a code
span, a URL, an escaped character.  So:

* paired codes (``**``, ``<a href>``, ``</em>``) are removed: they sit on word
  edges and carry no text;
* isolated codes that *are* text (:data:`TEXT_CODES`) become their markup;
* other isolated codes (an image, a line break, a ``notranslate`` element)
  become :data:`OBJECT` (U+FFFC, OBJECT REPLACEMENT CHARACTER): not a letter,
  a space or punctuation, so they neither join nor split words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..document import CodeKind, InlineCode, is_code_char

OBJECT = "\ufffc"
#: ``InlineCode.name`` of isolated codes whose markup is text the reader reads.
TEXT_CODES = frozenset({"quantity", "code", "url", "literal", "escape"})


@dataclass(frozen=True)
class PlainText:
    """``text`` plus, for each offset of the coded text (and its end), the offset in ``text``."""

    text: str
    from_coded: tuple[int, ...]
    from_stripped: tuple[int, ...]  # the same for the coded text with every code removed (strip_codes)
    code_spans: tuple[tuple[str, int, int], ...]  # (code char, start, end) of each code's text

    def spans_of(self, name: str, codes: Mapping[str, InlineCode]) -> list[tuple[int, int]]:
        """Where the codes named ``name`` stand in ``text``."""
        return [(start, end) for char, start, end in self.code_spans
                if char in codes and codes[char].name == name]


def plain_text(coded: str, codes: Mapping[str, InlineCode],
               shown_as: Mapping[str, str] | None = None) -> PlainText:
    """The reader's text of ``coded`` (see the module docstring).

    ``shown_as`` overrides what some codes show: a protected quantity shows its
    Indonesian original in the source, not its English rendering.
    """
    parts: list[str] = []
    from_coded: list[int] = []
    from_stripped: list[int] = []
    code_spans: list[tuple[str, int, int]] = []
    length = 0
    for char in coded:
        from_coded.append(length)
        if not is_code_char(char):
            from_stripped.append(length)
            parts.append(char)
            length += 1
            continue
        code = codes.get(char)
        if shown_as and char in shown_as:
            shown = shown_as[char]
        elif code is None or code.kind is not CodeKind.ISOLATED:
            shown = ""
        else:
            shown = code.data if code.name in TEXT_CODES else OBJECT
        code_spans.append((char, length, length + len(shown)))
        parts.append(shown)
        length += len(shown)
    from_coded.append(length)
    from_stripped.append(length)
    return PlainText("".join(parts), tuple(from_coded), tuple(from_stripped), tuple(code_spans))


def strip_edges(text: str, closing: str) -> str:
    """``text`` without surrounding whitespace, object characters and trailing ``closing`` characters."""
    text = text.strip().strip(OBJECT).strip()
    while text and (text[-1] in closing or text[-1] == OBJECT or text[-1].isspace()):
        text = text[:-1]
    return text
