"""Code characters: made in one place, beyond the BMP's 6,400, and never a traceback when they run out."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from translate.document import (
    CODE_CAPACITY,
    CODE_CHARS,
    CodeAllocator,
    CodeKind,
    CodeSpaceError,
    InputError,
    code_char,
    is_code_char,
)
from translate.engines import create_engine
from translate.formats import get_format
from translate.inline import split_codes
from translate.localize import CODE_NAME, Localizer, protect_document
from translate.pipeline import run, translate_documents, translate_text
from translate.segment import segment_document, split_sentences

#: More numbers in one paragraph than the BMP's private-use area has characters.
MANY = 7_000


def test_code_characters_run_on_into_the_supplementary_planes() -> None:
    assert CODE_CAPACITY == 6_400 + 2 * 65_534
    assert [code_char(i) for i in (0, 6_399, 6_400, 6_400 + 65_533, 6_400 + 65_534)] == [
        "\ue000", "\uf8ff", "\U000f0000", "\U000ffffd", "\U00100000"]
    assert code_char(CODE_CAPACITY - 1) == "\U0010fffd"
    with pytest.raises(IndexError):
        code_char(CODE_CAPACITY)
    for char in ("\ue000", "\uf8ff", "\U000f0000", "\U000ffffd", "\U00100000", "\U0010fffd"):
        assert is_code_char(char) and CODE_CHARS.fullmatch(char)
    for char in ("\udfff", "\uf900", "\U000effff", "\U000ffffe", "\U000fffff", "\U0010fffe", "a"):
        assert not is_code_char(char) and not CODE_CHARS.fullmatch(char)


def test_allocator_adds_to_existing_codes_and_says_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("translate.document.CODE_CAPACITY", 3)
    allocator = CodeAllocator()
    first = allocator.code(CodeKind.OPEN, "<b>")
    shared = CodeAllocator(allocator.codes)  # a later step adding to a block's table
    assert shared.code(CodeKind.ISOLATED, "1") == "\ue001" and shared.codes is allocator.codes
    assert allocator.code(CodeKind.CLOSE, "</b>", pair=first) == "\ue002"  # skips what the other added
    assert not allocator.available()
    with pytest.raises(CodeSpaceError, match="split the paragraph") as caught:
        allocator.code(CodeKind.ISOLATED, "x")
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)


def numbers(count: int) -> str:
    return "Angka " + " ".join(str(10 + i % 80) for i in range(count)) + " naik."


def docx_bytes(text: str) -> bytes:
    made = docx.Document()
    made.add_paragraph(text)
    buffer = io.BytesIO()
    made.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "docx"])
def test_a_paragraph_of_thousands_of_figures_is_localized(fmt: str) -> None:
    text = numbers(MANY)
    data = {"html": f"<p>{text}</p>".encode(), "docx": docx_bytes(text)}.get(fmt, text.encode())
    document = segment_document(get_format(fmt).read(data, "angka"))
    protections = protect_document(document, Localizer())
    assert len(protections) == MANY  # before: ValueError past the 6,400th
    assert max(p.char for p in protections) > "\U000f0000" and not document.warnings
    translate_documents([document], create_engine("pseudo"))
    output = get_format(fmt).write(document)
    again = segment_document(get_format(fmt).read(output, "angka"))
    assert "".join(b.render() for b in again.blocks).count(" 17 ") >= MANY // 80 - 1


def test_quantities_past_the_capacity_stay_as_written_with_a_warning(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    monkeypatch.setattr("translate.document.CODE_CAPACITY", 5)  # what 137,468 would be in a 20 MB file
    source = tmp_path / "angka.id.txt"
    source.write_text("Harga naik 1.000 lalu 2.000 lalu 3.000 lalu 4.000 lalu 5.000 lalu 6.000 lalu 7.000.\n",
                      encoding="utf-8")
    report = run([source], create_engine("pseudo"), localizer=Localizer())
    assert not report.failures
    warning = report.results[0].warning or ""
    assert "2 quantities not localized" in warning
    output = (tmp_path / "angka.en.txt").read_text(encoding="utf-8")
    assert "5,000" in output and "6.000" in output and "7.000" in output  # the excess is left as written


def test_localize_takes_its_characters_from_the_allocator() -> None:
    document = segment_document(get_format("markdown").read(b"Harga **naik** 1.000 dan 2.000.\n", "a.md"))
    block = document.blocks[0]
    block.codes.pop(min(block.codes))  # a hole in the table: the allocator fills it first
    block.segments[0].source = block.segments[0].source.replace("\ue000", "")
    protections = protect_document(document, Localizer())
    assert [p.char for p in protections] == ["\ue000", "\ue002"]
    assert all(block.codes[p.char].name == CODE_NAME for p in protections)


def test_text_reader_with_too_many_codes_is_a_clean_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("translate.document.CODE_CAPACITY", 4)
    with pytest.raises(InputError, match="inline codes"):
        get_format("text").read(" ".join(f"https://a.id/{i}" for i in range(5)).encode(), "url.txt")


def test_supplementary_private_use_characters_of_the_input_are_kept() -> None:
    text = "Simbol \U000f0041 dan \U0010fffd di teks.\n"
    document = segment_document(get_format("text").read(text.encode(), "pua.txt"))
    assert {c.name for c in document.blocks[0].codes.values()} == {"literal"}
    assert translate_text(text, create_engine("copy")) == text
    assert "\U000f0041" in translate_text(text, create_engine("pseudo"))


def test_supplementary_codes_are_codes_to_the_segmenter_and_the_model_input() -> None:
    close = "\U000f0001"
    assert split_sentences(f"Satu.{close} Dua.") == [(0, 6), (7, 11)]  # a closer after the period
    plain, codes = split_codes(f"Harga \U000f0002naik{close} hari ini")
    assert plain == "Harga naik hari ini" and [c for _, c in codes] == ["\U000f0002", close]
    assert not re.search(CODE_CHARS, plain)
