"""Plain text articles: one block per paragraph, headline or short line.

Rules (written by hand: no library models "a scraped news article"):

* Blank lines separate paragraphs; each non-blank line starts a new block.
* A line is joined to the block above it only when the line above looks
  hard-wrapped: it is at least :data:`WRAP_MIN_CHARS` long, does not end with
  terminal punctuation, and this line is not a list item.  So headlines, site
  boilerplate ("Baca Juga:") and list lines stay blocks of their own, while a
  paragraph wrapped at 72 columns is one block.
* Indentation, trailing spaces and line endings (LF, CRLF, CR) stay in the
  skeleton, so an untranslated round trip is byte-identical.
* URLs and e-mail addresses become isolated inline codes: the engine cannot
  garble them, and they come back exactly as written.
"""

from __future__ import annotations

import re

from ..document import Block, CodeAllocator, CodeKind, Document, make_block
from ..textio import decode_text, encode_text

WRAP_MIN_CHARS = 40
TERMINAL = tuple(".!?:;…\"”’»)")
LINE_RE = re.compile(r"([^\r\n]*)(\r\n|\n|\r|$)")
LIST_ITEM_RE = re.compile(r"^(?:[-–—•*·]\s|\d{1,3}[.)]\s)")
PROTECTED_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:!?)\]’']"  # URLs, without trailing punctuation
    # e-mail addresses, tried only where a run of address characters starts: tried at every
    # position of a 100,000-letter word, the greedy run backtracked quadratically (25 s)
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)


def code_text(text: str, allocator: CodeAllocator) -> str:
    """Coded text for a run of plain text: URLs and e-mails become isolated codes."""
    out: list[str] = []
    last = 0
    for match in PROTECTED_RE.finditer(text):
        out.append(allocator.text(text[last : match.start()]))
        out.append(allocator.code(CodeKind.ISOLATED, match.group(), "url"))
        last = match.end()
    out.append(allocator.text(text[last:]))
    return "".join(out)


def _lines(text: str) -> list[tuple[str, str]]:
    """(content, line ending) pairs; the last has an empty ending if the file lacks one."""
    pairs = [(m.group(1), m.group(2)) for m in LINE_RE.finditer(text)]
    if pairs and pairs[-1] == ("", ""):
        pairs.pop()
    return pairs


def _continues(previous: str, line: str) -> bool:
    prev = previous.rstrip()
    return (
        len(prev) >= WRAP_MIN_CHARS
        and not prev.endswith(TERMINAL)
        and not LIST_ITEM_RE.match(line.lstrip())
    )


class TextFormat:
    name = "text"

    def read(self, data: bytes, name: str) -> Document:
        text, bom = decode_text(data, name)
        document = Document(name=name, format=self.name, bom=bom)
        pending: list[str] = []  # raw text of the block being gathered
        skeleton: list[str] = []
        previous = ""  # content of the previous line in the current block

        blocks = 0  # counted here: document.blocks is a new list on each call (quadratic in a loop)

        def flush() -> None:
            nonlocal blocks
            if pending:
                document.parts.append(self._block(blocks, "".join(pending)))
                blocks += 1
                pending.clear()

        for content, ending in _lines(text):
            body = content.strip()
            if not body:
                flush()
                skeleton.append(content + ending)
                previous = ""
                continue
            lead = content[: len(content) - len(content.lstrip())]
            tail = content[len(content.rstrip()) :]
            if pending and _continues(previous, content):
                pending.append(skeleton.pop() + lead + body)  # the line break stays inside the block
            else:
                flush()
                document.parts.append("".join(skeleton) + lead)
                skeleton.clear()
                pending.append(body)
            skeleton.append(tail + ending)
            previous = content
        flush()
        document.parts.append("".join(skeleton))
        document.parts = [p for p in document.parts if p != ""]
        return document

    @staticmethod
    def _block(index: int, raw: str) -> Block:
        allocator = CodeAllocator()
        coded = code_text(raw, allocator)
        short = "\n" not in raw and len(raw) < 80 and not raw.endswith(TERMINAL)
        return make_block(index, "heading" if short else "paragraph", coded, allocator.codes)

    def write(self, document: Document) -> bytes:
        return encode_text(document.render(target=True), document.bom)
