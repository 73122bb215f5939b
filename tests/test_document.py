"""The document model: typed fields instead of a string dict, and documents that travel between processes."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from translate.document import LINE_BREAK_CODES, CodeKind, Document, InlineCode
from translate.engines import create_engine
from translate.formats import detect_format, get_format
from translate.localize import Localizer, protect_document
from translate.pipeline import load_document, translate_documents
from translate.segment import segment_block

ROOT = Path(__file__).resolve().parent.parent
#: One input of each format (every corpus source and the format samples).
SAMPLES = [*(ROOT / "corpora").glob("*.id.*"), *(ROOT / "tests" / "data" / "formats").glob("*/*.*")]
INPUTS = sorted(p for p in SAMPLES if ".pseudo." not in p.name and p.suffix != ".py")


def test_every_format_has_an_input() -> None:
    assert {detect_format(p) for p in INPUTS} == {"text", "markdown", "html", "docx"}


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_a_read_document_pickles_and_writes_the_same_bytes(path: Path) -> None:
    """A worker process (or a Ray task) can be handed a document: read, segmented, localized."""
    document = load_document(path)
    protect_document(document, Localizer("en_GB"))
    copy = pickle.loads(pickle.dumps(document))
    assert type(copy) is type(document) and copy.target_locale == "en_GB"
    writer = get_format(document.format)
    assert writer.write(copy) == writer.write(document)
    for each in (document, copy):
        translate_documents([each], create_engine("pseudo"))
    assert writer.write(copy) == writer.write(document)


def test_document_data_is_typed() -> None:
    fields = {f.name: f.type for f in dataclasses.fields(Document)}
    assert "metadata" not in fields
    assert fields["target_locale"] == "str | None" and fields["untranslated"] == "list[str]"
    html = get_format("html")
    page = b"<html lang='id'><meta property='og:locale' content='id_ID'><p>Harga naik.</p>"
    document = html.read(page, "a")
    document.target_locale = "en_GB"
    translate_documents([document], create_engine("pseudo"))
    assert b"content='en_GB'" in html.write(document)


def test_line_break_codes_are_named_next_to_code_kinds() -> None:
    """The segmenter reads these names as line ends: a reader naming them otherwise would join sentences."""
    block = load_document("x.md", data=b"> Satu.\n> Dua.\n").blocks[0]
    names = {code.name for code in block.codes.values()}
    assert names <= LINE_BREAK_CODES and names
    assert len(block.segments) == 2
    for name in LINE_BREAK_CODES:
        br = "\ue000"
        probe = dataclasses.replace(block, codes={br: InlineCode(br, CodeKind.ISOLATED, "<br>", None, name)})
        probe.segments[1:] = []
        probe.gaps = ["", ""]
        probe.segments[0].source = f"Satu.{br}Dua."
        segment_block(probe, "x")
        assert [s.source for s in probe.segments] == ["Satu.", "Dua."]
