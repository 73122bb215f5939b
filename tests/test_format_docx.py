"""DOCX format: the shared suite, plus runs, links, stories, fields, comments and bad input in detail.

Samples come from ``tests/data/formats/docx/make_samples.py`` (python-docx); bad
inputs are made here by rewriting one member of a sample.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from format_suite import DATA, FormatSuite
from lxml import etree

from translate import pipeline
from translate.cli import main
from translate.document import CodeKind, Document, InlineCode, strip_codes
from translate.engines import create_engine
from translate.errors import InputError, MergeError
from translate.evaluate.metrics import score_files, unit_texts
from translate.formats import detect_format, get_format
from translate.formats import docx_package as package_module
from translate.formats.docx import DocxDocument, DocxFormat, structure
from translate.pipeline import translate_documents
from translate.segment import segment_document

FMT = DocxFormat()
SAMPLES = DATA / "docx"
FORMATTING = SAMPLES / "formatting.docx"
STRUCTURES = SAMPLES / "structures.docx"
CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "bus-listrik.id.docx"
DEFLATED = zipfile.ZIP_DEFLATED
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def canonical(raw: bytes) -> bytes:
    return etree.tostring(etree.fromstring(raw), method="c14n")


def read(path: Path) -> Document:
    return segment_document(FMT.read(path.read_bytes(), path.name))


def pseudo(path: Path) -> tuple[Document, bytes]:
    document = read(path)
    translate_documents([document], create_engine("pseudo"))
    return document, FMT.write(document)


def part(data: bytes, member: str = "word/document.xml") -> etree._Element:
    return etree.fromstring(members(data)[member])


def replace_member(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info.filename, source.read(info))
        if content:
            target.writestr(member, content)
    return out.getvalue()


def runs_of(paragraph: etree._Element) -> list[tuple[str, str]]:
    """(formatting tags, text) of each text run of a paragraph, hyperlinks included."""
    found = []
    for run in paragraph.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.findall(f"{W}t"))
        rpr = run.find(f"{W}rPr")
        tags = "+".join(etree.QName(e).localname for e in rpr) if rpr is not None else ""
        if text:
            found.append((tags, text))
    return found


# --------------------------------------------------------------------------- the shared suite


class TestDocxFormatSuite(FormatSuite):
    format_name = "docx"
    extension = ".docx"

    def assert_same_file(self, produced: bytes, original: bytes) -> None:
        """Same members in the same order; XML members canonically equal, others byte-equal."""
        got, want = members(produced), members(original)
        assert list(got) == list(want)
        for name, content in want.items():
            if name.endswith((".xml", ".rels")):
                assert canonical(got[name]) == canonical(content), name
            else:
                assert got[name] == content, name

    def shape(self, data: bytes) -> object:
        docx.Document(io.BytesIO(data))  # the file opens (python-docx reads every part it knows)
        return structure(data)


# --------------------------------------------------------------------------- reading


def test_registered_for_docx_files() -> None:
    assert detect_format("berita.docx") == "docx"
    assert isinstance(get_format("docx"), DocxFormat)


def test_blocks_cover_body_tables_text_boxes_headers_footers_and_notes() -> None:
    document = read(STRUCTURES)
    kinds = {(b.kind, strip_codes(b.source)) for b in document.blocks}
    assert ("heading", "Jembatan gantung diresmikan di desa terpencil") in kinds
    assert ("list_item", "Warga kini bisa menyeberang sungai tanpa perahu.") in kinds
    assert ("table_cell", "Bantuan provinsi") in kinds  # a nested table's cell
    assert ("textbox", "Catatan redaksi untuk pembaca") in kinds
    assert ("header", "Kabar Daerah | Edisi Pagi") in kinds
    assert ("endnote", " Janji ini disampaikan dalam sambutan resmi.") in kinds
    footer = next(b for b in document.blocks if b.kind == "footer")
    assert strip_codes(footer.source) == "Halaman  dari berita utama hari ini."  # the PAGE field is a code
    parts = "word/document.xml word/header1.xml word/footer1.xml word/endnotes.xml"
    assert document.members == parts.split()
    assert isinstance(document, DocxDocument)


def test_run_formatting_becomes_named_code_pairs() -> None:
    document = read(FORMATTING)
    block = document.blocks[1]
    codes = list(block.codes.values())
    assert [(c.kind, c.name) for c in codes] == [
        (CodeKind.OPEN, "bold"), (CodeKind.CLOSE, "bold"), (CodeKind.OPEN, "italic"),
        (CodeKind.CLOSE, "italic"), (CodeKind.OPEN, "underline"), (CodeKind.CLOSE, "underline"),
    ]  # fmt: skip
    assert codes[0].pair == codes[1].char and codes[1].pair == codes[0].char
    c = [code.char for code in codes]
    start = f"Harga cabai rawit di {c[0]}Pasar Minggu{c[1]} naik menjadi {c[2]}Rp 80.000"
    assert block.source.startswith(start)
    names = [code.name for code in document.blocks[2].codes.values() if code.kind is CodeKind.OPEN]
    assert names == ["colour", "font+size", "highlight"]


def test_fields_comments_and_drawings_are_isolated_codes_never_text() -> None:
    document = read(FORMATTING)
    texts = [strip_codes(b.source) for b in document.blocks]
    assert "Halaman  dicetak pada tanggal  oleh redaksi." in texts
    joined = " ".join(texts)
    for hidden in ("PAGE", "5 Januari", "Periksa kutipan", "Picture"):
        assert hidden not in joined
    comment = next(b for b in document.blocks if "Pedagang" in b.source)
    names = [c.name for c in comment.codes.values()]
    assert names == ["commentRangeStart", "commentRangeEnd", "commentReference"]


# --------------------------------------------------------------------------- writing


def test_copy_engine_returns_the_input_bytes() -> None:
    for path in (FORMATTING, STRUCTURES, CORPUS):
        document = read(path)
        translate_documents([document], create_engine("copy"))
        assert FMT.write(document) == path.read_bytes()


def test_formatting_lands_on_the_translated_words() -> None:
    document = read(CORPUS)
    block = document.blocks[1]
    bold_open, bold_close, italic_open, italic_close = block.codes
    targets = [
        f"The Surabaya City Government has begun testing {bold_open}ten electric buses{bold_close} on a route"
        f" linking three major campuses, and the trial runs {italic_open}for two months{italic_close}"
        " before official fares are set."
    ]
    assert len(block.segments) == 1
    block.segments[0].target = targets[0]
    output = FMT.write(document)
    paragraph = part(output).findall(f".//{W}p")[1]
    assert runs_of(paragraph) == [
        ("", "The Surabaya City Government has begun testing "),
        ("b", "ten electric buses"),
        ("", " on a route linking three major campuses, and the trial runs "),
        ("i", "for two months"),
        ("", " before official fares are set."),
    ]
    spaced = paragraph.findall(f"{W}r/{W}t")[0]
    assert spaced.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert docx.Document(io.BytesIO(output)).paragraphs[1].runs[1].bold


def test_moved_codes_reorder_runs_and_keep_the_hyperlink_relationship() -> None:
    document = read(CORPUS)
    block = document.blocks[2]
    link_open, style_open, style_close, link_close = block.codes
    link = f"{link_open}{style_open}the transport agency's site{style_close}{link_close}"
    block.segments[0].target = f"See {link} for the schedule and at every stop."
    output = FMT.write(document)
    paragraph = part(output).findall(f".//{W}p")[2]
    [link] = paragraph.findall(f"{W}hyperlink")
    original = part(CORPUS.read_bytes()).findall(f".//{W}p")[2].find(f"{W}hyperlink")
    assert link.get(R_ID) == original.get(R_ID) and link.get(R_ID)
    assert runs_of(link) == [("color+u", "the transport agency's site")]
    assert runs_of(paragraph)[0] == ("", "See ")
    rels = "word/_rels/document.xml.rels"
    assert members(output)[rels] == members(CORPUS.read_bytes())[rels]


def test_pseudo_translates_every_story_and_leaves_fields_comments_and_styles() -> None:
    source = STRUCTURES.read_bytes()
    _, output = pseudo(STRUCTURES)
    opened = docx.Document(io.BytesIO(output))
    section = opened.sections[0]
    assert section.header.paragraphs[0].text.startswith("[Ķåbåŕ Ðåéŕåĥ")
    assert section.footer.paragraphs[0].text.startswith("[Ĥåļåmåñ 1 ðåŕî")  # the PAGE result stays "1"
    inner = opened.tables[0].cell(1, 1).tables[0]
    assert inner.cell(0, 0).text.startswith("[Ðåñå ðéšå")
    out_parts, in_parts = members(output), members(source)
    assert "Ĵåñĵî" in "".join(part(output, "word/endnotes.xml").itertext())
    boxes = [b for b in part(output).iter(f"{W}txbxContent")]
    assert len(boxes) == 2 and all("".join(box.itertext()).startswith("[Çåţåţåñ") for box in boxes)
    for name in ("word/styles.xml", "word/numbering.xml", "word/settings.xml", "[Content_Types].xml"):
        assert out_parts[name] == in_parts[name], name
    instructions = [e.text for e in part(output, "word/footer1.xml").iter(f"{W}instrText")]
    assert instructions == [" PAGE "]

    _, output = pseudo(FORMATTING)
    out_parts, in_parts = members(output), members(FORMATTING.read_bytes())
    assert out_parts["word/comments.xml"] == in_parts["word/comments.xml"]
    assert out_parts["word/media/image1.png"] == in_parts["word/media/image1.png"]
    document_xml = part(output)
    assert [e.get(f"{W}instr") for e in document_xml.iter(f"{W}fldSimple")] == [' DATE \\@ "d MMMM yyyy" ']
    assert "5 Januari 2026" in "".join(document_xml.find(f".//{W}fldSimple").itertext())
    footnotes = "".join(part(output, "word/footnotes.xml").itertext())
    assert "Ðîñåš Péŕðåĝåñĝåñ" in footnotes


def test_changed_parts_keep_their_xml_declaration_and_other_members_their_order() -> None:
    _, output = pseudo(FORMATTING)
    raw = members(output)["word/document.xml"]
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>")
    with zipfile.ZipFile(io.BytesIO(output)) as out, zipfile.ZipFile(FORMATTING) as original:
        assert [(i.filename, i.compress_type, i.date_time) for i in out.infolist()] == [
            (i.filename, i.compress_type, i.date_time) for i in original.infolist()]


def test_tabs_and_breaks_separate_words_for_the_model_but_add_no_spaces() -> None:
    document = read(FORMATTING)
    block = document.blocks[4]
    tab, br = (c.char for c in block.codes.values() if c.name in ("tab", "br"))
    assert [strip_codes(s.source) for s in block.segments] == [
        "Ringkasan: stok aman sampai akhir bulan.", "Pasokan dari Brebes tetap lancar."]
    assert f"{tab} stok" in block.source and f"{br} Pasokan" in block.source
    first = block.segments[0]
    first.target = first.source.replace("stok aman sampai akhir bulan", "stock is safe")
    block.segments[1].target = "Supplies from Brebes are flowing."
    paragraph = part(FMT.write(document)).findall(f".//{W}p")[4]
    texts = [t.text for t in paragraph.iter(f"{W}t")]
    assert texts == ["Ringkasan:", "stock is safe.", "Supplies from Brebes are flowing."]
    assert [etree.QName(e).localname for e in paragraph.iter(f"{W}tab", f"{W}br")] == ["tab", "br"]


def test_writing_twice_gives_the_same_bytes() -> None:
    document, first = pseudo(FORMATTING)
    assert FMT.write(document) == first


def test_an_emptied_span_keeps_its_formatting_as_an_empty_run() -> None:
    document = read(CORPUS)
    block = document.blocks[1]
    bold_open, bold_close, italic_open, italic_close = block.codes
    block.segments[0].target = f"{bold_open}{bold_close}Buses {italic_open}run{italic_close}."
    paragraph = part(FMT.write(document)).findall(f".//{W}p")[1]
    runs = paragraph.findall(f"{W}r")
    assert [etree.QName(c).localname for c in runs[0]] == ["rPr"]
    assert runs[0].find(f"{W}rPr/{W}b") is not None
    assert runs_of(paragraph) == [("", "Buses "), ("i", "run"), ("", ".")]


def test_lost_or_crossing_codes_are_a_merge_error() -> None:
    document = read(CORPUS)
    block = document.blocks[1]
    bold_open, bold_close, italic_open, italic_close = block.codes
    block.segments[0].target = f"Buses {bold_open}run{bold_close}."
    with pytest.raises(MergeError, match="lost, added or repeated"):
        FMT.write(document)
    block.segments[0].target = f"{bold_open}a {italic_open}b{bold_close} c{italic_close}"
    with pytest.raises(MergeError, match="cross"):
        FMT.write(document)


def test_codes_added_after_reading_are_written_as_their_text() -> None:
    """The localizer adds an ISOLATED code per quantity, whose data is the English rendering."""
    document = read(FORMATTING)
    block = document.blocks[1]
    char = "\uf000"
    block.codes[char] = InlineCode(char, CodeKind.ISOLATED, "IDR 80,000", None, "quantity")
    segment = block.segments[0]
    segment.source = segment.source.replace("Rp 80.000", char)
    segment.target = segment.source.replace("Harga cabai rawit di", "Bird's eye chilli prices at")
    paragraph = part(FMT.write(document)).findall(f".//{W}p")[1]
    assert ("i", "IDR 80,000") in runs_of(paragraph)


def test_private_use_characters_in_the_text_survive() -> None:
    raw = members(CORPUS.read_bytes())["word/document.xml"].replace(
        b"Warga diminta", "Warga \ue123 diminta".encode())
    data = replace_member(CORPUS.read_bytes(), "word/document.xml", raw)
    document = segment_document(FMT.read(data, "pua.docx"))
    translate_documents([document], create_engine("pseudo"))
    assert "\ue123" in "".join(part(FMT.write(document)).itertext())


def test_a_paragraph_with_too_many_codes_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("translate.document.CODE_CAPACITY", 6400)  # the BMP's share: a smaller file
    runs = "".join(f"<w:r><w:rPr><w:{'b' if i % 2 else 'i'}/></w:rPr><w:t>kata{i} </w:t></w:r>"
                   for i in range(6600))
    raw = members(CORPUS.read_bytes())["word/document.xml"]
    raw = raw.replace(b"<w:body>", f"<w:body><w:p>{runs}</w:p>".encode())
    data = replace_member(CORPUS.read_bytes(), "word/document.xml", raw)
    document = segment_document(FMT.read(data, "besar.docx"))
    assert document.untranslated_paragraphs == 1
    translate_documents([document], create_engine("pseudo"))
    output = FMT.write(document)
    first = [etree.tostring(part(d).find(f".//{W}p"), method="c14n") for d in (output, data)]
    assert first[0] == first[1]


# --------------------------------------------------------------------------- scoring


def test_score_works_on_docx_blocks() -> None:
    reference = CORPUS.with_name("bus-listrik.en.docx")
    level, units = unit_texts(read(reference))
    assert level == "block" and units[0] == "Surabaya trials electric buses on campus route"
    assert len(units) == len(unit_texts(read(CORPUS))[1])
    report = score_files(reference, reference)
    assert report.metrics[0].name == "BLEU" and report.metrics[0].score == pytest.approx(100.0)


# --------------------------------------------------------------------------- bad input


def _error(data: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        FMT.read(data, "rusak.docx")
    return caught.value


def test_not_a_zip() -> None:
    error = _error(b"Ini bukan dokumen Word.\n")
    assert "not a DOCX (zip) file" in str(error) and "rusak.docx" in str(error)


def test_zip_bomb_is_refused_before_reading() -> None:
    bomb = replace_member(FORMATTING.read_bytes(), "word/document.xml", b"<a/>" + b" " * (4 * 1024 * 1024))
    error = _error(bomb)
    assert "zip bomb" in str(error) and "member word/document.xml" in str(error)


def test_total_uncompressed_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package_module, "MAX_TOTAL_BYTES", 50_000)
    assert "exceed" in str(_error(FORMATTING.read_bytes()))


def test_dtd_and_external_entities_are_refused() -> None:
    document_xml = members(CORPUS.read_bytes())["word/document.xml"]
    doctype = b'?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xxe = document_xml.replace(b"?>", doctype, 1).replace(b"Warga diminta", b"&xxe;")
    error = _error(replace_member(CORPUS.read_bytes(), "word/document.xml", xxe))
    assert "DTD" in str(error) and "member word/document.xml" in str(error)
    styles = members(CORPUS.read_bytes())["word/styles.xml"]
    laughs = styles.replace(b"?>", b'?>\n<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">]>', 1)
    error = _error(replace_member(CORPUS.read_bytes(), "word/styles.xml", laughs))
    assert "member word/styles.xml" in str(error)


def test_missing_main_part_and_content_types() -> None:
    good = CORPUS.read_bytes()
    assert "no main document part" in str(_error(replace_member(good, "word/document.xml", b"")))
    assert "[Content_Types].xml" in str(_error(replace_member(good, "[Content_Types].xml", b"")))


def test_malformed_xml_names_the_member() -> None:
    error = _error(replace_member(CORPUS.read_bytes(), "word/footer1.xml", b"<w:ftr><w:p>"))
    assert "not well-formed" in str(error) and "member word/footer1.xml" in str(error)


def test_corrupt_member_is_an_input_error() -> None:
    data = bytearray(CORPUS.read_bytes())
    with zipfile.ZipFile(CORPUS) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    data[start : start + 8] = b"\x00" * 8  # damage the deflate stream
    error = _error(bytes(data))
    assert "member word/document.xml" in str(error)


@pytest.mark.parametrize("case", ["not_zip", "bomb", "dtd"])
def test_bad_input_via_cli_writes_nothing(case: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    good = CORPUS.read_bytes()
    data = {
        "not_zip": b"PK bukan zip sungguhan",
        "bomb": replace_member(good, "word/document.xml", b"<a/>" + b" " * (4 * 1024 * 1024)),
        "dtd": replace_member(good, "word/document.xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'),
    }[case]
    source = tmp_path / "berita.id.docx"
    source.write_bytes(data)
    out = tmp_path / "out"
    assert main(["run", str(source), "-o", str(out), "--engine", "copy", "-q"]) == 2
    err = capsys.readouterr().err
    assert "berita.id.docx" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_pseudo_run_via_cli_opens_in_python_docx(tmp_path: Path) -> None:
    assert main(["run", str(CORPUS), "-o", str(tmp_path), "--engine", "pseudo", "-q"]) == 0
    output = tmp_path / "bus-listrik.en.docx"
    opened = docx.Document(str(output))
    assert opened.paragraphs[0].text.startswith("[")
    assert structure(output.read_bytes()) == structure(CORPUS.read_bytes())


def test_pseudo_reference_files_exist_for_every_sample() -> None:
    for sample in (FORMATTING, STRUCTURES, CORPUS):
        assert (SAMPLES / f"{sample.name.split('.')[0]}.pseudo.docx").exists()


def test_damaged_and_shuffled_documents_never_crash() -> None:
    """Seeded byte flips in the zip and element moves in the XML: an InputError or a readable output."""
    rng = random.Random(20260105)
    data = STRUCTURES.read_bytes()
    candidates: list[bytes] = []
    for _ in range(40):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        candidates.append(bytes(damaged))
    for _ in range(40):
        root = part(data)
        for _ in range(rng.randint(1, 4)):
            elements = [e for e in root.iter() if e is not root]
            moved, target = rng.choice(elements), rng.choice([root, *elements])
            if target is not moved and moved not in list(target.iterancestors()):
                target.insert(rng.randrange(len(target) + 1), moved)
        candidates.append(replace_member(data, "word/document.xml", etree.tostring(root)))
    for candidate in candidates:
        try:
            document = segment_document(FMT.read(candidate, "acak.docx"))
        except InputError:
            continue
        translate_documents([document], create_engine("pseudo"))
        FMT.read(FMT.write(document), "hasil.docx")


# --------------------------------------------------------------------------- minimal documents built here


def built(paragraphs: list[str], header: str = "", footer: str = "") -> bytes:
    """A python-docx document with these body paragraphs, and a header and footer if given."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def typed_by_default(data: bytes, default: str, untyped: tuple[str, ...]) -> bytes:
    """The package with the ``Override`` of ``untyped`` parts removed and ``.xml`` parts typed ``default``."""
    ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    types = etree.fromstring(members(data)["[Content_Types].xml"])
    for override in list(types.iter(f"{ct}Override")):
        if override.get("PartName") in untyped:
            types.remove(override)
    next(d for d in types.iter(f"{ct}Default") if d.get("Extension") == "xml").set("ContentType", default)
    return replace_member(data, "[Content_Types].xml", etree.tostring(types, xml_declaration=True))


MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@pytest.mark.parametrize("default, untyped", [
    (MAIN_TYPE, ("/word/document.xml", "/word/header1.xml", "/word/footer1.xml")),  # .NET packaging
    ("application/xml", ("/word/header1.xml", "/word/footer1.xml")),
])
def test_parts_typed_by_a_default_content_type_are_found_through_relationships(
        default: str, untyped: tuple[str, ...]) -> None:
    data = typed_by_default(built(["Warga mengungsi."], "Kepala berita", "Kaki halaman"), default, untyped)
    document = segment_document(FMT.read(data, "dotnet.docx"))
    assert [(b.kind, strip_codes(b.source)) for b in document.blocks] == [
        ("paragraph", "Warga mengungsi."), ("header", "Kepala berita"), ("footer", "Kaki halaman")]
    translate_documents([document], create_engine("pseudo"))
    header = "".join(part(FMT.write(document), "word/header1.xml").itertext())
    assert header.startswith("[Ķépåļå béŕîţå")
    assert FMT.write(segment_document(FMT.read(data, "dotnet.docx"))) == data


def test_a_package_whose_main_part_is_not_word_is_refused() -> None:
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    data = typed_by_default(built(["Isi."]), sheet, ("/word/document.xml",))
    assert "no main document part" in str(_error(data))


# --------------------------------------------------------------------------- spaces beside tabs and breaks


def spaced_document() -> bytes:
    """A signature after a line break, indented with spaces, and a price after a tab and two spaces."""
    document = docx.Document()
    paragraph = document.add_paragraph("Hormat kami,")
    paragraph.runs[0].add_break()
    paragraph.add_run("        Budi Santoso")
    paragraph = document.add_paragraph("Harga tiket")
    paragraph.add_run().add_tab()
    paragraph.add_run("  Rp 5.000 per orang")
    paragraph = document.add_paragraph("Baris pertama")
    paragraph.add_run().add_break()
    paragraph.add_run("baris kedua")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_spaces_the_source_has_beside_tabs_and_breaks_are_kept() -> None:
    document = segment_document(FMT.read(spaced_document(), "spasi.docx"))
    translate_documents([document], create_engine("pseudo"))
    paragraphs = part(FMT.write(document)).findall(f".//{W}body/{W}p")
    texts = [[t.text for t in p.iter(f"{W}t")] for p in paragraphs]
    assert texts == [
        ["[Ĥöŕmåţ ķåmî,", "        Bûðî Šåñţöšö ~~~~~~~]"],  # the indentation after the break
        ["[Ĥåŕĝå ţîķéţ", "  Ŕp 5.000 péŕ öŕåñĝ ~~~~~~~]"],  # the two spaces after the tab
        ["[Båŕîš péŕţåmå", "båŕîš ķéðûå ~~~~~]"],  # the space the reader put after the break is not
    ]
    signature = document.blocks[0]
    [segment] = signature.segments
    [br] = signature.codes
    segment.target = f"Best regards,   {br} Budi Santoso"  # a model's spaces beside the break
    paragraph = part(FMT.write(document)).findall(f".//{W}body/{W}p")[0]
    assert [t.text for t in paragraph.iter(f"{W}t")] == ["Best regards,", "        Budi Santoso"]


# --------------------------------------------------------------------------- compound files


def compound_file(*streams: str) -> bytes:
    """The start of an OLE compound file, with directory entries naming ``streams`` (UTF-16)."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    entries = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in streams)
    return header + entries.ljust(512, b"\0")


@pytest.mark.parametrize("streams, said, told", [
    (("Root Entry", "EncryptionInfo", "EncryptedPackage"), "is password-protected", "remove the password"),
    (("Root Entry", "WordDocument", "1Table"), "Word 97-2003 .doc", "save it as Word Document (.docx)"),
    (("Root Entry", "Workbook"), "OLE compound file", "save it as Word Document (.docx)"),
])
def test_compound_files_are_named_for_what_they_are(streams: tuple[str, ...], said: str, told: str) -> None:
    error = _error(compound_file(*streams))
    assert said in str(error) and told in str(error) and "rusak.docx" in str(error)
    assert "not a DOCX (zip) file" not in str(error)


# --------------------------------------------------------------------------- bound content controls

CORE_STORE = "{6C3C8BC8-F283-45AE-878A-BAB7291924A1}"
COVER_STORE = "{55AF091B-3C7A-41E3-B477-F2FDAA23CFDA}"
COVER_NS = "http://schemas.microsoft.com/office/2006/coverPageProps"
CORE_MAPPINGS = ("xmlns:ns0='http://purl.org/dc/elements/1.1/' "
                 "xmlns:ns1='http://schemas.openxmlformats.org/package/2006/metadata/core-properties'")


def bound_control(alias: str, text: str, store: str, xpath: str, mappings: str, kind: str = "<w:text/>",
                  block: bool = False) -> str:
    """A content control bound to a stored value, as Word's cover pages have them."""
    run = f"<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>"
    binding = f'<w:dataBinding w:prefixMappings="{mappings}" w:xpath="{xpath}" w:storeItemID="{store}"/>'
    content = f"<w:p>{run}</w:p>" if block else run
    return (f'<w:sdt xmlns:w="{W[1:-1]}"><w:sdtPr><w:alias w:val="{alias}"/>{binding}{kind}</w:sdtPr>'
            f"<w:sdtContent>{content}</w:sdtContent></w:sdt>")


def cover_page() -> bytes:
    """A cover page: the title bound to the core properties, an abstract bound to the cover page
    properties (a custom XML part), a date control and a control whose store is missing."""
    document = docx.Document()
    document.core_properties.title = "Banjir Bandang di Garut"
    body = document.element.body
    sect = body[-1]
    title = bound_control("Judul", "Banjir Bandang di Garut", CORE_STORE,
                          "/ns1:coreProperties[1]/ns0:title[1]", CORE_MAPPINGS, block=True)
    sect.addprevious(etree.fromstring(title))
    paragraph = document.add_paragraph("Ringkasan: ")
    abstract = bound_control("Abstrak", "Warga diungsikan ke masjid", COVER_STORE,
                             "/ns0:CoverPageProperties[1]/ns0:Abstract[1]", f"xmlns:ns0='{COVER_NS}'")
    paragraph._p.append(etree.fromstring(abstract))
    paragraph = document.add_paragraph("Terbit ")
    date = bound_control("Tanggal", "5 Januari 2026", COVER_STORE,
                         "/ns0:CoverPageProperties[1]/ns0:PublishDate[1]", f"xmlns:ns0='{COVER_NS}'",
                         kind='<w:date w:fullDate="2026-01-05T00:00:00Z"/>')
    paragraph._p.append(etree.fromstring(date))
    lost = bound_control("Penulis", "Redaksi Garut", "{00000000-0000-0000-0000-000000000000}", "/a[1]", "",
                         block=True)
    sect.addprevious(etree.fromstring(lost))
    buffer = io.BytesIO()
    document.save(buffer)
    item = (f'<CoverPageProperties xmlns="{COVER_NS}"><PublishDate>2026-01-05</PublishDate>'
            "<Abstract>Warga diungsikan ke masjid</Abstract></CoverPageProperties>").encode()
    props = ('<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml" '
             f'ds:itemID="{COVER_STORE}"><ds:schemaRefs><ds:schemaRef ds:uri="{COVER_NS}"/></ds:schemaRefs>'
             "</ds:datastoreItem>").encode()
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'customXmlProps" Target="itemProps9.xml"/></Relationships>')
    data = buffer.getvalue()
    for member, content in (("customXml/item9.xml", item), ("customXml/itemProps9.xml", props),
                            ("customXml/_rels/item9.xml.rels", rels)):
        data = replace_member(data, member, content)
    return data


def test_bound_plain_text_controls_are_translated_with_their_stored_value() -> None:
    data = cover_page()
    document = segment_document(FMT.read(data, "sampul.docx"))
    texts = [strip_codes(b.source) for b in document.blocks]
    assert "Banjir Bandang di Garut" in texts and "Ringkasan: Warga diungsikan ke masjid" in texts
    assert all("Januari" not in text and "Redaksi" not in text for text in texts)  # left alone
    translate_documents([document], create_engine("pseudo"))
    output = FMT.write(document)
    body = part(output)
    controls = {control.find(f"{W}sdtPr/{W}alias").get(f"{W}val"): "".join(control.itertext())
                for control in body.iter(f"{W}sdt")}
    assert controls["Judul"].startswith("[Båñĵîŕ Båñðåñĝ ðî Ĝåŕûţ")
    core = part(output, "docProps/core.xml")
    assert core.find("{http://purl.org/dc/elements/1.1/}title").text == controls["Judul"]  # what Word shows
    cover = part(output, "customXml/item9.xml")
    assert cover.find(f"{{{COVER_NS}}}Abstract").text == controls["Abstrak"] != "Warga diungsikan ke masjid"
    assert cover.find(f"{{{COVER_NS}}}PublishDate").text == "2026-01-05"
    assert controls["Tanggal"] == "5 Januari 2026" and controls["Penulis"] == "Redaksi Garut"
    copied = segment_document(FMT.read(data, "sampul.docx"))
    assert FMT.write(copied) == data


def test_bound_controls_left_alone_are_a_warning_of_the_run(tmp_path: Path) -> None:
    document = FMT.read(cover_page(), "sampul.docx")
    [warning] = document.warnings
    assert "'Tanggal' (not a plain-text control)" in warning
    assert "'Penulis' (its stored value was not found)" in warning and "Judul" not in warning
    source = tmp_path / "sampul.docx"
    source.write_bytes(cover_page())
    report = pipeline.run([source], create_engine("pseudo"), outdir=tmp_path / "out")
    [result] = report.results
    assert result.error is None and result.warning == warning


def test_a_bound_control_showing_another_value_than_its_store_is_left_alone() -> None:
    data = cover_page()
    core = members(data)["docProps/core.xml"].replace(b"Banjir Bandang di Garut", b"Judul lama")
    document = FMT.read(replace_member(data, "docProps/core.xml", core), "sampul.docx")
    assert "'Judul' (its stored value differs from the text shown)" in " ".join(document.warnings)
    assert all("Bandang" not in strip_codes(b.source) for b in document.blocks)


def test_a_damaged_data_store_leaves_its_controls_alone_but_reads_the_document() -> None:
    data = replace_member(cover_page(), "customXml/itemProps9.xml", b"<ds:datastoreItem")
    document = FMT.read(data, "sampul.docx")
    assert "'Abstrak' (its stored value was not found)" in " ".join(document.warnings)
    assert any("Banjir Bandang" in strip_codes(b.source) for b in document.blocks)
