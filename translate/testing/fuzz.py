"""Seeded mutation fuzzing of the readers, the pipeline and the writers.

Inputs are the corpus articles and the format samples of the repository,
mutated the ways real files go wrong or attack: truncations, flipped bytes,
huge lines, deep nesting, thousands of numbers, private-use characters, random
inline markup, pieces of one file spliced into another.  A DOCX is mutated
inside its ``word/document.xml`` (the zip stays readable, so the XML and
paragraph code is reached) or, less often, as raw zip bytes.

Each input goes through what ``translate run`` does (read, segment, protect the
quantities, translate, write) with one engine, and the outcome must be one of:

* a clean :class:`~translate.errors.TranslateError` (the user gets one line);
* a correct round trip: ``copy`` writes the input's bytes back, any other engine
  writes a file the same format reads again.

Anything else is a failure: another exception (a traceback for the user), a bad
round trip, or (in ``benchmarks/fuzz.py``, which caps the time per input) a hang.
Generation is deterministic: the same seed, format and index give the same bytes.

Hand-written: the mutations are specific to our formats and to what broke
before (11.16-11.19); a generic fuzzer (atheris) needs a coverage build and
finds its own inputs, not seeded, reproducible cases for a unit test.
"""

from __future__ import annotations

import io
import random
import re
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import TranslateError

ROOT = Path(__file__).resolve().parent.parent.parent
EXTENSIONS = {"text": ".txt", "markdown": ".md", "html": ".html", "docx": ".docx"}
DOCX_STORY = "word/document.xml"

#: Outcomes of one check.
CLEAN_ERROR, ROUND_TRIP, BAD_ROUND_TRIP, EXCEPTION, HANG = "clean error", "round trip", "bad round trip", \
    "exception", "hang"
FAILURES = (BAD_ROUND_TRIP, EXCEPTION, HANG)


@dataclass(frozen=True)
class Case:
    """One fuzz input: its bytes and how they were made (for the reproducer's name and the report)."""

    format: str
    index: int
    seed_file: str
    mutations: tuple[str, ...]
    data: bytes

    @property
    def label(self) -> str:
        return f"{self.format}-{self.index:04d}-{'+'.join(self.mutations)}"

    @property
    def file_name(self) -> str:
        return f"{self.label}.id{EXTENSIONS[self.format]}"


@dataclass(frozen=True)
class Outcome:
    kind: str  # one of CLEAN_ERROR, ROUND_TRIP, BAD_ROUND_TRIP, EXCEPTION, HANG
    detail: str = ""  # the error line, what differs, or the traceback


def seed_files(fmt: str, root: Path = ROOT) -> list[Path]:
    """The repository's inputs of a format: corpus sources and test samples (no references)."""
    extension = EXTENSIONS[fmt]
    found = [*(root / "corpora").glob(f"*.id{extension}"), *(root / "tests" / "data" / "formats" / fmt).glob(
        f"*{extension}")]
    return sorted(p for p in found if ".pseudo." not in p.name)


# --------------------------------------------------------------------------- mutations of text

Mutation = Callable[[random.Random, bytes, str, int], bytes]

_MARKUP = {
    "text": ["https://contoh.id/a?b=1", "warga@contoh.id", "www.", "(", ")", "...", "\t", "\r\n", "\r", "- ",
             "1. ", "\u00a0"],
    "markdown": ["**", "*", "_", "__", "`", "```", "[", "](", ")", "![", "<b>", "</b>", "\\", "> ", "- ",
                 "# ", "|", "---\n", "[^1]", "<!--", "&amp;", "    ", "\n\n", "  \n", "~~", "<https://a.id>"],
    "html": ["<b>", "</b>", "<i>", "</i>", "<a href='x'>", "</a>", "<br>", "<p>", "</p>", "&amp;",
             "&#x1F600;", "&nbsp", "<!--", "-->", "<script>", "</script>", "<style>", "<![CDATA[",
             "<img alt='Foto'>", "<span title=\"Judul\">", "</span>", "<", ">", "\"", "<template>",
             "<svg><b>", "<table><td>"],
    "docx": ["<w:r><w:t>kata</w:t></w:r>", "<w:r><w:rPr><w:b/></w:rPr><w:t>tebal</w:t></w:r>", "<w:br/>",
             "<w:tab/>", "</w:t></w:r><w:r><w:t>", "<w:fldSimple w:instr=\"PAGE\"/>", "&amp;", "<w:p/>",
             "<w:hyperlink r:id=\"rId99\"><w:r><w:t>tautan</w:t></w:r></w:hyperlink>"],
}
_NESTING = {
    "text": ("(", ")"), "markdown": ("> ", ""), "html": ("<b>", "</b>"),
    "docx": ("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"),
}


def _at(rng: random.Random, data: bytes, fmt: str = "") -> int:
    """A random offset; in DOCX XML one where markup or text may stand: after a tag, mostly a ``w:t``."""
    if fmt != "docx":
        return rng.randrange(len(data) + 1)
    text_starts = [data.find(b">", m.start()) + 1 for m in re.finditer(rb"<w:t[ >]", data)]
    if text_starts and rng.random() < 0.6:
        return rng.choice(text_starts)
    tag_ends = [i + 1 for i in range(len(data)) if data[i] == 62]
    return rng.choice(tag_ends) if tag_ends else len(data)


def _insert(rng: random.Random, data: bytes, piece: bytes, fmt: str = "") -> bytes:
    at = _at(rng, data, fmt)
    return data[:at] + piece + data[at:]


def truncate(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    return data[: _at(rng, data)]


def flip_bytes(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if mutable:
            mutable[rng.randrange(len(mutable))] ^= 1 << rng.randrange(8)
    return bytes(mutable)


def huge_line(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    unit = rng.choice(["a", "kata ", ".", "7", "-", "(", "é", "Jl. ", "1.", "a@"])
    return _insert(rng, data, (unit * (scale // len(unit))).encode(), fmt)


def deep_nesting(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    opener, closer = _NESTING[fmt]
    # DOCX: under lxml's limit of 256 levels most of the time, so the paragraph code is reached
    shallow = fmt == "docx" and rng.random() < 0.7
    depth = rng.randint(2, 100) if shallow else rng.randint(scale // 100, scale // 10)
    closed = closer * depth if rng.random() < 0.5 else ""  # unclosed half the time
    return _insert(rng, data, (opener * depth + "Isi berita." + closed).encode(), fmt)


def many_numbers(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    forms = ["12", "1.000", "2,5", "Rp 50.000", "31/10/2020", "14.00 WIB", "5 persen", "3 km"]
    count = rng.randint(scale // 40, scale // 5)
    return _insert(rng, data, (" ".join(rng.choice(forms) for _ in range(count)) + ".").encode(), fmt)


def private_use(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    chars = ["\ue000", "\ue001", "\uf8ff", "\U000f0000", "\U0010fffd", "\U000ffffe"]
    return _insert(rng, data, "".join(rng.choice(chars) for _ in range(rng.randint(1, 20))).encode(), fmt)


def inline_markup(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    for _ in range(rng.randint(1, 30)):
        data = _insert(rng, data, rng.choice(_MARKUP[fmt]).encode(), fmt)
    return data


def duplicate(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    """A piece repeated (in DOCX XML a whole paragraph, so the XML stays well-formed)."""
    if fmt == "docx":
        starts = [i for i in range(len(data)) if data.startswith(b"<w:p>", i) or data.startswith(b"<w:p ", i)]
        if not starts:
            return data
        start = rng.choice(starts)
        end = data.find(b"</w:p>", start)
        if end < 0:
            return data
        end += len(b"</w:p>")
        return data[:end] + data[start:end] * rng.randint(1, 50) + data[end:]
    start = _at(rng, data)
    end = min(len(data), start + rng.randint(1, 2_000))
    return _insert(rng, data, data[start:end] * rng.randint(1, 5))


def delete(rng: random.Random, data: bytes, fmt: str, scale: int) -> bytes:
    start = _at(rng, data)
    return data[:start] + data[start + rng.randint(1, 500) :]


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate, "flip": flip_bytes, "huge-line": huge_line, "nesting": deep_nesting,
    "numbers": many_numbers, "private-use": private_use, "markup": inline_markup, "duplicate": duplicate,
    "delete": delete,
}


#: Mutations that break XML at once: applied to the zip's own bytes for a DOCX, not to its XML.
_BYTE_LEVEL = ("truncate", "flip", "delete")


def _mutate_docx(rng: random.Random, data: bytes, names: list[str],
                 scale: int) -> tuple[bytes, tuple[str, ...]]:
    """Mutate the story XML inside the zip where it stays well-formed, or (rarely) the zip's own bytes."""
    if rng.random() < 0.15:  # the zip itself: a clean error is all we can ask
        name = rng.choice(_BYTE_LEVEL)
        return MUTATIONS[name](rng, data, "docx", scale), (f"zip-{name}",)
    names = [name for name in names if name not in _BYTE_LEVEL] or ["markup"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in members:
            if info.filename == DOCX_STORY:
                body = content.find(b"<w:body>")
                head, xml = content[: body + 8], content[body + 8 :]
                for name in names:
                    xml = MUTATIONS[name](rng, xml, "docx", scale)
                content = head + xml
            target.writestr(info, content)
    return out.getvalue(), tuple(names)


def make_case(fmt: str, index: int, seed: int = 0, scale: int = 20_000,
              files: list[Path] | None = None) -> Case:
    """The ``index``-th input of a format for ``seed``: a seed file and one to three mutations.

    ``scale`` bounds the size of what a mutation adds (a huge line has about that many characters);
    ``files`` chooses among other seed files than :func:`seed_files`.
    """
    rng = random.Random(f"{seed}/{fmt}/{index}")
    files = files or seed_files(fmt)
    source = rng.choice(files)
    names = tuple(rng.sample(sorted(MUTATIONS), rng.randint(1, 3)))
    data = source.read_bytes()
    if fmt == "docx":
        data, names = _mutate_docx(rng, data, list(names), scale)
    else:
        for name in names:
            data = MUTATIONS[name](rng, data, fmt, scale)
    return Case(fmt, index, source.name, names, data)


# --------------------------------------------------------------------------- the check


def translate_bytes(data: bytes, fmt: str, engine, name: str = "fuzz", localize: bool = True) -> bytes:
    """What ``translate run`` does to one file, in memory: read, segment, protect, translate, write."""
    from ..localize import Localizer
    from ..pipeline import Translator

    translator = Translator(engine, localizer=Localizer() if localize else None)
    return translator.translate_bytes(data, fmt, f"{name}{EXTENSIONS[fmt]}")


def check(case: Case, engine) -> Outcome:
    """The outcome of one input with one engine (see the module docstring)."""
    from ..pipeline import load_document

    try:
        output = translate_bytes(case.data, case.format, engine)
    except TranslateError as error:
        return Outcome(CLEAN_ERROR, str(error))
    except Exception:  # noqa: BLE001 - any other exception is the finding
        return Outcome(EXCEPTION, traceback.format_exc())
    if not engine.localizes:  # copy: every input byte must come back
        if output != case.data:
            return Outcome(BAD_ROUND_TRIP, _first_difference(case.data, output))
        return Outcome(ROUND_TRIP)
    try:
        load_document(f"output{EXTENSIONS[case.format]}", case.format, output)
    except Exception as error:  # noqa: BLE001 - our own output must read again, whatever the reason
        return Outcome(BAD_ROUND_TRIP, f"the output does not read again: {type(error).__name__}: {error}")
    return Outcome(ROUND_TRIP)


def _first_difference(before: bytes, after: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
              min(len(before), len(after)))
    return (f"copy changed the bytes at offset {at} (input {len(before):,} bytes, output {len(after):,}): "
            f"{before[at:at + 40]!r} became {after[at:at + 40]!r}")
